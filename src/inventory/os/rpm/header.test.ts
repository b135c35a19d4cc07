import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { decodeRpmHeader, parseSourceRpm, RpmHeaderError } from './header.js';

type Value = { string: string } | { strings: string[] } | { int32: number[] } | { int16: number[] };

/** Writes an on-disk rpm header (index + data store) the way rpm lays it out. */
function buildHeader(entries: [number, Value][]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  const push = (b: Buffer) => {
    data.push(b);
    size += b.length;
  };
  for (const [tag, value] of entries) {
    let type: number;
    let count: number;
    let bytes: Buffer;
    if ('string' in value) [type, count, bytes] = [6, 1, Buffer.from(`${value.string}\0`)];
    else if ('strings' in value) [type, count, bytes] = [8, value.strings.length, Buffer.from(value.strings.map((s) => `${s}\0`).join(''))];
    else if ('int32' in value) {
      [type, count, bytes] = [4, value.int32.length, Buffer.alloc(4 * value.int32.length)];
      value.int32.forEach((v, i) => bytes.writeUInt32BE(v, 4 * i));
      if (size % 4) push(Buffer.alloc(4 - (size % 4)));
    } else {
      [type, count, bytes] = [3, value.int16.length, Buffer.alloc(2 * value.int16.length)];
      value.int16.forEach((v, i) => bytes.writeUInt16BE(v, 2 * i));
      if (size % 2) push(Buffer.alloc(1));
    }
    const e = Buffer.alloc(16);
    e.writeInt32BE(tag, 0);
    e.writeUInt32BE(type, 4);
    e.writeInt32BE(size, 8);
    e.writeUInt32BE(count, 12);
    index.push(e);
    push(bytes);
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(index.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, ...index, ...data]);
}

const NEVRA: [number, Value][] = [
  [1000, { string: 'openssl-libs' }],
  [1001, { string: '1.1.1k' }],
  [1002, { string: '7.el8_6' }],
  [1003, { int32: [1] }],
  [1022, { string: 'x86_64' }],
  [1044, { string: 'openssl-1.1.1k-7.el8_6.src.rpm' }],
];

describe('decodeRpmHeader', () => {
  it('go-rpmdb’s blob.bin: the package, and its damaged file list reported, not fatal', () => {
    const warnings: string[] = [];
    const r = decodeRpmHeader(readFileSync(sharedData('fixtures/go-rpmdb/blob.bin')), { warn: (w) => warnings.push(w) });
    expect(r).toEqual({
      name: 'publicsuffix-list-dafsa',
      version: '20210518',
      release: '2.fc35',
      arch: 'noarch',
      sourceRpm: 'publicsuffix-list-20210518-2.fc35.src.rpm',
      license: 'MPLv2.0',
      vendor: 'Fedora Project',
      size: 68815,
    });
    expect(warnings).toEqual(['"publicsuffix-list-dafsa": file list: directory index 4 out of range; its owned files are left out']);
  });

  it('files from DIRNAMES/BASENAMES/DIRINDEXES, directories (FILEMODES) left out', () => {
    const r = decodeRpmHeader(
      buildHeader([
        ...NEVRA,
        [1030, { int16: [0o100644, 0o040755, 0o120777] }],
        [1116, { int32: [0, 1, 0] }],
        [1117, { strings: ['libssl.so.1.1', 'doc', 'libssl.so'] }],
        [1118, { strings: ['/usr/lib64/', '/usr/share/'] }],
      ]),
    );
    expect(r).toMatchObject({ name: 'openssl-libs', epoch: 1, version: '1.1.1k', release: '7.el8_6', files: ['usr/lib64/libssl.so.1.1', 'usr/lib64/libssl.so'] });
  });

  it('rpm 3 headers: OLDFILENAMES', () => {
    const r = decodeRpmHeader(buildHeader([...NEVRA, [1027, { strings: ['/bin/true', '/etc/x.conf'] }]]));
    expect(r.files).toEqual(['bin/true', 'etc/x.conf']);
  });

  it('a later entry for the same tag (dribble) wins; "(none)" means absent', () => {
    const r = decodeRpmHeader(buildHeader([...NEVRA, [1014, { string: '(none)' }], [1022, { string: 'aarch64' }]]));
    expect(r.arch).toBe('aarch64');
    expect(r.license).toBeUndefined();
  });

  it.each([
    ['empty', Buffer.alloc(0), /too short/],
    ['no index entries', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), /bad index entry count 0/],
    ['index beyond the blob', Buffer.from([0, 0, 0, 10, 0, 0, 0, 0]), /claims/],
    ['absurd data length', Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff]), /bad data length/],
  ])('rejects %s', (_name, blob, message) => {
    expect(() => decodeRpmHeader(blob)).toThrow(RpmHeaderError);
    expect(() => decodeRpmHeader(blob)).toThrow(message);
  });

  it('offsets, counts and unterminated strings outside the data store are errors, at every truncation', () => {
    const good = buildHeader([...NEVRA, [1117, { strings: ['a', 'b'] }], [1118, { strings: ['/'] }], [1116, { int32: [0, 0] }]]);
    // Lie about the file name count: more strings than bytes. The package stays, without files.
    const lying = Buffer.from(good);
    const at = 8 + 6 * 16; // BASENAMES entry
    lying.writeUInt32BE(0x7fffffff, at + 12);
    const warnings: string[] = [];
    expect(decodeRpmHeader(lying, { warn: (w) => warnings.push(w) }).files).toBeUndefined();
    expect(warnings).toEqual(['"openssl-libs": tag 1117: 2147483647 strings cannot fit; its owned files are left out']);
    const badOffset = Buffer.from(good);
    badOffset.writeInt32BE(-5, 8 + 8);
    expect(() => decodeRpmHeader(badOffset)).toThrow(/outside the data store/);
    for (let n = 0; n < good.length; n++) {
      expect(() => decodeRpmHeader(good.subarray(0, n))).toThrow(RpmHeaderError);
    }
    // Data store without the final NUL: the data length shrinks, the last string is unterminated.
    const nevra = buildHeader(NEVRA);
    const cut = Buffer.from(nevra.subarray(0, nevra.length - 1));
    cut.writeUInt32BE(cut.readUInt32BE(4) - 1, 4);
    expect(() => decodeRpmHeader(cut)).toThrow(RpmHeaderError);
  });
});

describe('parseSourceRpm', () => {
  it.each([
    ['openssl-1.1.1k-7.el8_6.src.rpm', { name: 'openssl', version: '1.1.1k', release: '7.el8_6' }],
    ['python-requests-2.20.0-2.1.el8_1.src.rpm', { name: 'python-requests', version: '2.20.0', release: '2.1.el8_1' }],
    ['nodejs-18.14.2-3.module+el8.7.0+18293+c53ef6c5.src.rpm', { name: 'nodejs', version: '18.14.2', release: '3.module+el8.7.0+18293+c53ef6c5' }],
    ['kernel-5.14.0-362.8.1.el9_3.nosrc.rpm', { name: 'kernel', version: '5.14.0', release: '362.8.1.el9_3' }],
  ])('%s', (input, expected) => {
    expect(parseSourceRpm(input)).toEqual(expected);
  });

  it.each(['', 'noversion.src.rpm', 'a-b.src.rpm', '-1-2.src.rpm'])('%j is not a source RPM name', (input) => {
    expect(parseSourceRpm(input)).toBeUndefined();
  });
});
