/**
 * Property tests for every OS package database parser: random bytes and
 * mutated real databases either parse or fail with the parser's own error
 * type — never a TypeError/RangeError, never a hang (a hang fails the test
 * by its timeout).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../../core/errors.js';
import type { ParseContext, ScannedFile, Scanner } from '../../core/scanner.js';
import { sharedData } from '../../../test/support/paths.js';
import { distroScanner } from '../distro/scanner.js';
import { parseOsRelease, parseReleaseLine } from '../distro/os-release.js';
import { apkScanner, parseApkInstalled } from './apk.js';
import { parseDebianCopyright } from './dpkg-copyright.js';
import { parseDpkgList, parseDpkgMd5sums, parseDpkgStatus } from './dpkg-status.js';
import { dpkgScanner } from './dpkg.js';
import { BdbError, readBdbHashValues } from './rpm/bdb.js';
import { decodeRpmHeader, RpmHeaderError } from './rpm/header.js';
import { NdbError, readNdbBlobs } from './rpm/ndb.js';
import { rpmScanner } from './rpm/scanner.js';
import { readSqliteBlobs, RpmSqliteError } from './rpm/sqlite.js';

const fixture = (rel: string) => readFileSync(sharedData('fixtures', rel));

/** Byte edits: overwrite a few positions, optionally cut the end, optionally duplicate a slice. */
function mutated(base: Buffer, hotSpots: number[] = []): fc.Arbitrary<Buffer> {
  const position = hotSpots.length
    ? fc.oneof(fc.nat({ max: base.length - 1 }), fc.tuple(fc.constantFrom(...hotSpots), fc.nat({ max: 63 })).map(([h, d]) => Math.min(h + d, base.length - 1)))
    : fc.nat({ max: base.length - 1 });
  return fc
    .record({
      edits: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
      cut: fc.option(fc.nat({ max: base.length }), { nil: undefined }),
    })
    .map(({ edits, cut }) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) b[at] = v;
      return cut === undefined ? b : b.subarray(0, cut);
    });
}

/** Runs `fn` and lets only the expected error classes through. */
function onlyThrows(fn: () => unknown, ...allowed: (new (...args: never[]) => Error)[]): void {
  try {
    fn();
  } catch (e) {
    if (!allowed.some((cls) => e instanceof cls)) throw e;
  }
}

function parseWith<T>(scanner: Scanner<T>, path: string, content: Buffer): unknown {
  const file: ScannedFile = { path, mode: 0o644, size: content.length, content };
  const ctx: ParseContext = { warn: () => {} };
  return scanner.parse(file, ctx);
}

const text = fc.oneof(
  fc.string({ maxLength: 2000 }),
  fc.string({ unit: 'binary', maxLength: 2000 }),
  fc.array(fc.constantFrom('Package: a\n', 'Status: install ok installed\n', 'Version: 1\n', '\n', ' cont\n', 'P:x\n', 'V:1\n', 'F:d\n', 'R:f\n', 'junk\n', ':\n', 'Source: s (1\n', 'License: MIT\n', '/usr/share/common-licenses/'), { maxLength: 200 }).map((a) => a.join('')),
);

describe('fuzz: text databases never throw', () => {
  it('dpkg status, .list, .md5sums, copyright', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (t, requireStatus) => {
        for (const r of parseDpkgStatus(t, { requireStatus, warn: () => {} })) {
          expect(typeof r.name).toBe('string');
          expect(typeof r.version).toBe('string');
        }
        parseDpkgList(t);
        parseDpkgMd5sums(t);
        parseDebianCopyright(t);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated real dpkg status files, through the scanner', () => {
    const status = fixture('syft/debian/testdata/var/lib/dpkg/status.d/coreutils-relationships');
    fc.assert(
      fc.property(mutated(status), (b) => {
        parseWith(dpkgScanner, 'var/lib/dpkg/status', b);
        parseWith(dpkgScanner, 'var/lib/dpkg/status.d/x', b);
      }),
      { numRuns: 300 },
    );
  });

  it('apk installed databases, random and mutated', () => {
    fc.assert(fc.property(text, (t) => void parseApkInstalled(t, () => {})), { numRuns: 500 });
    const db = fixture('syft/alpine/testdata/multiple-2/lib/apk/db/installed');
    fc.assert(fc.property(mutated(db), (b) => void parseWith(apkScanner, 'lib/apk/db/installed', b)), { numRuns: 300 });
  });

  it('release files', () => {
    fc.assert(
      fc.property(text, (t) => {
        parseOsRelease(t);
        parseReleaseLine(t);
        parseWith(distroScanner, 'etc/os-release', Buffer.from(t));
        parseWith(distroScanner, 'etc/redhat-release', Buffer.from(t));
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz: binary rpm databases fail only with their own errors', () => {
  it('header blobs: random bytes and mutations of real headers', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (a) => onlyThrows(() => decodeRpmHeader(Buffer.from(a)), RpmHeaderError)), { numRuns: 1000 });
    const blob = fixture('go-rpmdb/blob.bin');
    // Hot spots: the counts, the index entries and the start of the data store.
    fc.assert(fc.property(mutated(blob, [0, 8, 8 + 16 * 8, 8 + 16 * 60]), (b) => onlyThrows(() => decodeRpmHeader(b), RpmHeaderError)), { numRuns: 2000 });
  });

  it('Berkeley DB hash pages: random files and mutated real ones', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 16384 }), (a) => onlyThrows(() => readBdbHashValues(Buffer.from(a)), BdbError)),
      { numRuns: 300 },
    );
    const db = fixture('go-rpmdb/libuuid/Packages');
    const pageStarts = Array.from({ length: db.length / 4096 }, (_, i) => i * 4096);
    fc.assert(
      fc.property(mutated(db, pageStarts), (b) => {
        onlyThrows(() => {
          for (const v of readBdbHashValues(b).values) onlyThrows(() => decodeRpmHeader(v), RpmHeaderError);
        }, BdbError);
      }),
      { numRuns: 500 },
    );
  });

  it('NDB slots and blobs: mutated real database', () => {
    const db = fixture('go-rpmdb/sle15-bci/Packages.db');
    fc.assert(
      fc.property(mutated(db, [0, 32, 48, 4096, 8192, 16384]), (b) => {
        onlyThrows(() => {
          for (const v of readNdbBlobs(b).values) onlyThrows(() => decodeRpmHeader(v), RpmHeaderError);
        }, NdbError);
      }),
      { numRuns: 300 },
    );
  });

  it('SQLite rpmdb: mutated real database', () => {
    const db = fixture('go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite');
    fc.assert(
      fc.property(mutated(db, [0, 16, 28, 100, 4096, 8192]), (b) => {
        onlyThrows(() => readSqliteBlobs(b), RpmSqliteError);
      }),
      { numRuns: 60 },
    );
  });

  it('the rpm scanner turns every failure into a StrataError', () => {
    const inputs = [fixture('go-rpmdb/libuuid/Packages'), fixture('go-rpmdb/sle15-bci/Packages.db'), fixture('syft/redhat/testdata/Packages')];
    fc.assert(
      fc.property(fc.constantFrom(...inputs).chain((b) => mutated(b, [0, 12, 20, 32, 4096])), (b) => {
        try {
          parseWith(rpmScanner, 'var/lib/rpm/Packages', b);
        } catch (e) {
          expect(e).toBeInstanceOf(StrataError);
          expect(['corrupt', 'unsupported']).toContain((e as StrataError).code);
        }
      }),
      { numRuns: 300 },
    );
  });
});
