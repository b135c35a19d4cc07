import { readFileSync } from 'node:fs';
import { openDatabase } from '../../../util/sqlite.js';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { decodeRpmHeader } from './header.js';
import { readSqliteBlobs, RpmSqliteError } from './sqlite.js';

function serialized(sql: string): Buffer {
  const db = openDatabase(':memory:');
  try {
    db.exec(sql);
    return db.serialize();
  } finally {
    db.close();
  }
}

describe('readSqliteBlobs', () => {
  it('reads a WAL-mode rpmdb.sqlite in memory, leaving the caller’s bytes untouched', () => {
    const bytes = readFileSync(sharedData('fixtures/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite'));
    expect([bytes[18], bytes[19]]).toEqual([2, 2]); // WAL mode, as rpm leaves it
    const before = Buffer.from(bytes);
    const blobs = readSqliteBlobs(bytes);
    expect(blobs).toHaveLength(129);
    expect(decodeRpmHeader(blobs[0] as Buffer).name).toBeTruthy();
    expect(bytes.equals(before)).toBe(true);
  });

  it('refuses a database whose Packages is a view (it could be made to run forever)', () => {
    const buf = serialized(
      'CREATE VIEW Packages AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS hnum, x AS blob FROM n;',
    );
    expect(() => readSqliteBlobs(buf)).toThrow(new RpmSqliteError('Packages is a view, not a table'));
  });

  it('names what is missing or broken', () => {
    expect(() => readSqliteBlobs(serialized('CREATE TABLE Other (x);'))).toThrow('no Packages table');
    expect(() => readSqliteBlobs(Buffer.from('not sqlite at all'.repeat(10)))).toThrow('not an SQLite database');
    const truncated = readFileSync(sharedData('fixtures/go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite')).subarray(0, 8192);
    expect(() => readSqliteBlobs(truncated)).toThrow(RpmSqliteError);
  });
});
