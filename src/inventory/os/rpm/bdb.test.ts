import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { BdbError, readBdbHashValues } from './bdb.js';
import { decodeRpmHeader } from './header.js';

const libuuid = () => readFileSync(sharedData('fixtures/go-rpmdb/libuuid/Packages'));

/**
 * The same database as a big-endian machine (s390x, ppc64) writes it: every
 * page field in the other byte order, the header blobs (always big-endian)
 * untouched.
 */
function toBigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  const swap32 = (at: number) => be.writeUInt32BE(le.readUInt32LE(at), at);
  const swap16 = (at: number) => be.writeUInt16BE(le.readUInt16LE(at), at);
  const pageSize = le.readUInt32LE(20);
  // metadata page: pgno, magic, version, pagesize, free, last_pgno, nparts, key/record counts, flags, hash fields
  for (const at of [8, 12, 16, 20, 28, 32, 36, 40, 44, 48, 72, 76, 80, 84, 88, 92]) swap32(at);
  for (let p = 1; p < le.length / pageSize; p++) {
    const base = p * pageSize;
    for (const at of [8, 12, 16]) swap32(base + at);
    swap16(base + 20);
    swap16(base + 22);
    const type = le[base + 25];
    if (type !== 13 && type !== 2) continue;
    const entries = le.readUInt16LE(base + 20);
    for (let i = 0; i < entries; i++) {
      swap16(base + 26 + 2 * i);
      const off = le.readUInt16LE(base + 26 + 2 * i);
      if (le[base + off] === 3) {
        swap32(base + off + 4);
        swap32(base + off + 8);
      }
    }
  }
  return be;
}

describe('readBdbHashValues', () => {
  it('reads the header of RHEL 8’s libuuid from its overflow pages', () => {
    const { values, problems } = readBdbHashValues(libuuid());
    expect(problems).toEqual([]);
    const headers = values.filter((v) => v.length > 24).map((v) => decodeRpmHeader(v));
    expect(headers.map((h) => `${h.name}-${h.version}-${h.release}.${h.arch}`)).toEqual(['libuuid-2.32.1-42.el8_8.x86_64']);
  });

  it('reads the same database written on a big-endian machine', () => {
    const le = readBdbHashValues(libuuid()).values;
    const be = readBdbHashValues(toBigEndian(libuuid()));
    expect(be.problems).toEqual([]);
    expect(be.values).toHaveLength(le.length);
    be.values.forEach((v, i) => expect(v.equals(le[i] as Buffer)).toBe(true));
  });

  it('a truncated file yields what is left and says so', () => {
    const full = libuuid();
    const { problems } = readBdbHashValues(full.subarray(0, full.length - 4096 * 3));
    expect(problems[0]).toMatch(/^database is truncated: 20 of 23 pages present/);
  });

  it('a loop in an overflow chain is reported, not followed forever', () => {
    const db = libuuid();
    const pageSize = db.readUInt32LE(20);
    // Point every overflow page's next_pgno back at itself.
    for (let p = 1; p < db.length / pageSize; p++) if (db[p * pageSize + 25] === 7) db.writeUInt32LE(p, p * pageSize + 16);
    const { values, problems } = readBdbHashValues(db);
    expect(values.filter((v) => v.length > 24)).toEqual([]);
    expect(problems.some((p) => p.includes('overflow chain loops'))).toBe(true);
  });

  it.each([
    ['not a database', Buffer.alloc(4096), /bad magic/],
    ['too short', Buffer.alloc(100), /bad magic/],
  ])('rejects %s', (_n, buf, message) => {
    expect(() => readBdbHashValues(buf)).toThrow(BdbError);
    expect(() => readBdbHashValues(buf)).toThrow(message);
  });
});
