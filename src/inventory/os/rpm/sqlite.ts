/**
 * Reads the header blobs of an rpm SQLite database (`rpmdb.sqlite`, rpm ≥
 * 4.16: Fedora 33+, RHEL 9, CBL-Mariner/Azure Linux): table `Packages
 * (hnum INTEGER PRIMARY KEY, blob BLOB)`.
 *
 * The bytes are opened in memory with SQLite's deserialize (better-sqlite3
 * `openDatabase(buffer)`), so no temporary file is written. rpm keeps the
 * database in WAL mode, which an in-memory database cannot open: the copy
 * handed to SQLite is marked as a rollback-journal database instead (file
 * header bytes 18–19). A non-empty `-wal` side file would hold writes not
 * yet checkpointed; rpm checkpoints when it closes, and image layers only
 * carry the main file's state.
 */
import { type Database, openDatabase } from '../../../util/sqlite.js';

export class RpmSqliteError extends Error {
  override readonly name = 'RpmSqliteError';
}

const MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

export function isSqlite(buf: Buffer): boolean {
  return buf.length >= 100 && buf.subarray(0, 16).equals(MAGIC);
}

export function readSqliteBlobs(buf: Buffer): Buffer[] {
  if (!isSqlite(buf)) throw new RpmSqliteError('not an SQLite database (bad magic)');
  const copy = Buffer.from(buf);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database;
  try {
    db = openDatabase(copy, { readonly: true });
  } catch (e) {
    throw new RpmSqliteError(`cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    // Only a real table: a crafted file could make `Packages` a view that never ends.
    const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = 'Packages'").pluck().get();
    if (kind !== 'table') {
      throw new RpmSqliteError(kind === undefined ? 'no Packages table' : `Packages is a ${typeof kind === 'string' ? kind : 'schema object'}, not a table`);
    }
    const out: Buffer[] = [];
    for (const blob of db.prepare('SELECT blob FROM Packages ORDER BY hnum').pluck().iterate()) {
      if (Buffer.isBuffer(blob)) out.push(blob);
    }
    return out;
  } catch (e) {
    if (e instanceof RpmSqliteError) throw e;
    throw new RpmSqliteError(`cannot read the database: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    db.close();
  }
}
