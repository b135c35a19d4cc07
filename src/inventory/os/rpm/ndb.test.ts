import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { decodeRpmHeader } from './header.js';
import { NdbError, readNdbBlobs } from './ndb.js';

const sle = () => readFileSync(sharedData('fixtures/go-rpmdb/sle15-bci/Packages.db'));

describe('readNdbBlobs', () => {
  it('reads every package blob of SLE 15 BCI’s Packages.db', () => {
    const { values, problems } = readNdbBlobs(sle());
    expect(problems).toEqual([]);
    expect(values).toHaveLength(35);
    expect(values.map((v) => decodeRpmHeader(v).name)).toContain('glibc');
  });

  it('a damaged blob is reported by package index; the other packages are kept', () => {
    const db = sle();
    // The first used slot (after the 32-byte header): break its blob's head magic.
    const blkoff = db.readUInt32LE(32 + 8);
    const pkgidx = db.readUInt32LE(32 + 4);
    db.writeUInt32LE(0xdeadbeef, blkoff * 16);
    const { values, problems } = readNdbBlobs(db);
    expect(values).toHaveLength(34);
    expect(problems).toEqual([`package ${pkgidx}: bad blob header`]);
  });

  it('slots pointing outside the file are reported, not read', () => {
    const db = sle();
    db.writeUInt32LE(0x7fffffff, 32 + 8);
    const { values, problems } = readNdbBlobs(db);
    expect(values).toHaveLength(34);
    expect(problems[0]).toMatch(/slot points outside the data area/);
  });

  it.each([
    ['not NDB', Buffer.alloc(8192), /bad magic/],
    ['slot pages beyond the file', Buffer.concat([Buffer.from('RpmP'), Buffer.alloc(8), Buffer.from([100, 0, 0, 0]), Buffer.alloc(16)]), /truncated/],
  ])('rejects %s', (_n, buf, message) => {
    expect(() => readNdbBlobs(buf)).toThrow(NdbError);
    expect(() => readNdbBlobs(buf)).toThrow(message);
  });
});
