/**
 * The database's content digest: recorded beside it (`strata.db.sha256`)
 * when `db build` or `db update` writes it, and checked when `db status`,
 * `db update`/`push` or a server opens it — so bytes changed after the fact
 * (a bad disk, garbage written into the file) are an error naming the file,
 * not findings that silently differ. Scans skip it (store/sqlite.ts
 * OpenStoreOptions): hashing reads the whole file, about 1 s per GB. A database
 * without a digest file (copied by hand, built by an older Strata) is opened
 * as before; its SQLite header is still checked.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { StrataError } from '../core/errors.js';

export function digestPath(db: string): string {
  return `${db}.sha256`;
}

/** sha256 of a file's content, read in 4 MiB chunks. */
export function fileDigest(file: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** Records the digest of `content` (the file about to become `db`) beside `db`, atomically. */
export function recordDatabaseDigest(content: string, db: string): string {
  const digest = fileDigest(content);
  const tmp = `${digestPath(db)}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${digest}\n`);
    renameSync(tmp, digestPath(db));
  } finally {
    rmSync(tmp, { force: true });
  }
  return digest;
}

/** Throws when `db` has a recorded digest that its content no longer matches. Returns the digest when one was checked. */
export function verifyDatabaseDigest(db: string): string | undefined {
  const file = digestPath(db);
  if (!existsSync(file)) return undefined;
  const recorded = readFileSync(file, 'utf8').trim();
  const actual = fileDigest(db);
  if (recorded !== actual) {
    throw new StrataError(
      'database',
      `vulnerability database ${db} does not match the digest recorded when it was written (${recorded}, now ${actual}): the file was changed or damaged since; run 'strata db update' or 'strata db build' to replace it`,
      { path: db },
    );
  }
  return actual;
}
