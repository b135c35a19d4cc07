import { mkdirSync, openSync, closeSync, writeSync, writeFileSync, symlinkSync, linkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { TarReader, type TarHeader } from './tar.js';
import { gnuTar, packTar } from './testing/fixtures.js';

interface Read {
  header: TarHeader;
  body?: Buffer;
}

/** Parses `tar` fed in `chunk`-byte pieces; collects every body. */
async function readAll(tar: Buffer, chunk = 1000): Promise<Read[]> {
  const out: Read[] = [];
  const reader = new TarReader(
    {
      entry(header) {
        const r: Read = { header };
        out.push(r);
        return async (data) => {
          await Promise.resolve();
          r.body = Buffer.from(data);
        };
      },
    },
    { where: { layer: 'sha256:test' }, maxMetaBytes: 1 << 20 },
  );
  for (let i = 0; i < tar.length; i += chunk) {
    const wait = reader.push(tar.subarray(i, i + chunk));
    if (wait) await wait;
  }
  reader.finish();
  return out;
}

async function readError(tar: Buffer): Promise<StrataError> {
  try {
    await readAll(tar);
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    return e as StrataError;
  }
  throw new Error('expected the archive to be refused');
}

describe('TarReader on archives from tar-stream', () => {
  it('reads files, directories, links and long names split into the ustar prefix or PAX', async () => {
    const longDir = `usr/${'d'.repeat(90)}/${'e'.repeat(90)}`;
    const veryLong = `opt/${'x'.repeat(300)}/file.txt`;
    const tar = await packTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', content: 'ID=debian\n' },
      { name: `${longDir}/lib.so`, content: 'ELF' },
      { name: veryLong, content: 'long' },
      { name: 'usr/bin/sh', type: 'symlink', linkname: 'dash' },
      { name: 'usr/bin/perl5', type: 'link', linkname: 'etc/os-release' },
      { name: 'empty', content: '' },
    ]);
    for (const chunk of [1, 511, 512, 4096, tar.length]) {
      const got = await readAll(tar, chunk);
      expect(got.map((r) => [r.header.name, r.header.type, r.header.size, r.body?.toString()])).toEqual([
        ['etc/', 'dir', 0, ''],
        ['etc/os-release', 'file', 10, 'ID=debian\n'],
        [`${longDir}/lib.so`, 'file', 3, 'ELF'],
        [veryLong, 'file', 4, 'long'],
        ['usr/bin/sh', 'symlink', 0, ''],
        ['usr/bin/perl5', 'hardlink', 0, ''],
        ['empty', 'file', 0, ''],
      ]);
      expect(got[4]?.header.linkname).toBe('dash');
      expect(got[5]?.header.linkname).toBe('etc/os-release');
      expect(got[1]?.header.mode).toBe(0o644);
      expect(got[1]?.header.mtime).toBe(1_700_000_000);
    }
  });

  it('applies PAX records: path, linkpath, size, mtime', async () => {
    const tar = await packTar([{ name: 'short', content: 'abc', pax: { path: 'renamed/by/pax', mtime: '1700000123.75', uid: '4242' } }]);
    const [r] = await readAll(tar);
    expect(r?.header.name).toBe('renamed/by/pax');
    expect(r?.header.mtime).toBe(1_700_000_123);
    expect(r?.header.uid).toBe(4242);
    expect(r?.body?.toString()).toBe('abc');
  });
});

describe('TarReader on archives from GNU tar', () => {
  const tree = (dir: string): void => {
    const deep = path.join(dir, 'a'.repeat(120), 'b'.repeat(120));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'file-with-a-long-name.txt'), 'deep content');
    writeFileSync(path.join(dir, 'plain'), 'plain');
    symlinkSync(path.join('a'.repeat(120), 'b'.repeat(120), 'file-with-a-long-name.txt'), path.join(dir, 'link-to-deep'));
    linkSync(path.join(dir, 'plain'), path.join(dir, 'plain-hard'));
  };
  const expected = [
    ['./', 'dir'],
    [`./${'a'.repeat(120)}/`, 'dir'],
    [`./${'a'.repeat(120)}/${'b'.repeat(120)}/`, 'dir'],
    [`./${'a'.repeat(120)}/${'b'.repeat(120)}/file-with-a-long-name.txt`, 'file'],
    ['./link-to-deep', 'symlink'],
    ['./plain', 'file'],
    ['./plain-hard', 'hardlink'],
  ];

  for (const format of ['gnu', 'posix', 'ustar']) {
    it(`reads --format=${format}${format === 'ustar' ? ' (names that fit the prefix field)' : ''}`, async () => {
      if (format === 'ustar') {
        const tar = gnuTar(['--format=ustar', '.'], (dir) => {
          mkdirSync(path.join(dir, 'p'.repeat(97)));
          writeFileSync(path.join(dir, 'p'.repeat(97), 'n'.repeat(90)), 'x');
        });
        const got = await readAll(tar);
        expect(got.map((r) => r.header.name)).toEqual(['./', `./${'p'.repeat(97)}/`, `./${'p'.repeat(97)}/${'n'.repeat(90)}`]);
        return;
      }
      const tar = gnuTar([`--format=${format}`, '.'], tree);
      const got = await readAll(tar);
      expect(got.map((r) => [r.header.name, r.header.type])).toEqual(expected);
      expect(got[4]?.header.linkname).toBe(path.join('a'.repeat(120), 'b'.repeat(120), 'file-with-a-long-name.txt'));
      expect(got[6]?.header.linkname).toBe('./plain');
      expect(got[3]?.body?.toString()).toBe('deep content');
    });
  }

  it('reads the v7 format (directories marked by a trailing slash only)', async () => {
    const tar = gnuTar(['--format=v7', '.'], (dir) => {
      mkdirSync(path.join(dir, 'd'));
      writeFileSync(path.join(dir, 'd', 'f'), 'v7');
    });
    const got = await readAll(tar);
    expect(got.map((r) => [r.header.name, r.header.type, r.body?.toString()])).toEqual([
      ['./', 'dir', ''],
      ['./d/', 'dir', ''],
      ['./d/f', 'file', 'v7'],
    ]);
  });

  it('reads sizes stored in base-256 (uid beyond the octal field)', async () => {
    const tar = gnuTar(['--format=gnu', '--owner=:3000000000', '.'], (dir) => writeFileSync(path.join(dir, 'f'), 'x'));
    const got = await readAll(tar);
    expect(got[1]?.header.uid).toBe(3_000_000_000);
  });

  const sparseTree = (dir: string): void => {
    const fd = openSync(path.join(dir, 'sparse.img'), 'w');
    writeSync(fd, Buffer.from('head'), 0, 4, 0);
    writeSync(fd, Buffer.from('middle'), 0, 6, 3 * 1024 * 1024);
    writeSync(fd, Buffer.from('tail'), 0, 4, 8 * 1024 * 1024 - 4);
    closeSync(fd);
  };
  for (const [label, args] of [
    ['old GNU sparse (type S)', ['--format=gnu', '--sparse']],
    ['PAX sparse 1.0', ['--format=posix', '--sparse', '--sparse-version=1.0']],
    ['PAX sparse 0.1', ['--format=posix', '--sparse', '--sparse-version=0.1']],
  ] as const) {
    it(`expands ${label} files with holes as zeros`, async () => {
      const tar = gnuTar([...args, 'sparse.img'], sparseTree);
      expect(tar.length).toBeLessThan(1024 * 1024); // it really is stored sparse
      const got = await readAll(tar);
      expect(got).toHaveLength(1);
      const r = got[0] as Read;
      expect(r.header.name).toBe('sparse.img');
      expect(r.header.sparse).toBe(true);
      expect(r.header.size).toBe(8 * 1024 * 1024);
      const body = r.body as Buffer;
      expect(body.length).toBe(8 * 1024 * 1024);
      expect(body.subarray(0, 4).toString()).toBe('head');
      expect(body.subarray(3 * 1024 * 1024, 3 * 1024 * 1024 + 6).toString()).toBe('middle');
      expect(body.subarray(body.length - 4).toString()).toBe('tail');
      expect(body.subarray(4, 1024 * 1024).every((b) => b === 0)).toBe(true);
    });
  }
});

describe('TarReader refuses broken archives', () => {
  it('a flipped header byte fails the checksum', async () => {
    const tar = await packTar([{ name: 'a', content: 'x' }]);
    tar[10] = 0x41;
    const e = await readError(tar);
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/checksum at offset 0/);
    expect(e.message).toContain('layer sha256:test');
  });

  it('an archive cut inside a file body is truncated', async () => {
    const tar = await packTar([{ name: 'big', content: Buffer.alloc(5000, 1) }]);
    const e = await readError(tar.subarray(0, 2000));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/truncated tar/);
    expect(e.message).toContain('path big');
  });

  it('an archive cut inside a header is truncated', async () => {
    const tar = await packTar([{ name: 'a', content: 'x' }, { name: 'b', content: 'y' }]);
    const e = await readError(tar.subarray(0, 1024 + 100));
    expect(e.code).toBe('corrupt');
  });

  it('a header after a single end-of-archive block is refused, trailing data after two is ignored', async () => {
    const one = await packTar([{ name: 'a', content: 'x' }]);
    const entry = one.subarray(0, 1024);
    const bad = Buffer.concat([entry, Buffer.alloc(512), entry]);
    expect((await readError(bad)).code).toBe('corrupt');
    const ok = Buffer.concat([entry, Buffer.alloc(1024), Buffer.from('garbage after the end')]);
    expect((await readAll(ok)).map((r) => r.header.name)).toEqual(['a']);
    // No end-of-archive marker at all is accepted too (GNU tar and Go do).
    expect((await readAll(entry)).map((r) => r.header.name)).toEqual(['a']);
  });

  it('non-octal digits in a number field are corrupt', async () => {
    const tar = await packTar([{ name: 'a', content: 'x' }]);
    tar.write('0000009', 124, 'latin1'); // size field
    // Recompute the checksum so only the number is wrong.
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i] ?? 0;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const e = await readError(tar);
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/invalid size field/);
  });

  it('an unknown entry type is unsupported, naming it', async () => {
    const tar = await packTar([{ name: 'weird', content: 'x' }]);
    tar[156] = 'Z'.charCodeAt(0);
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i] ?? 0;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const e = await readError(tar);
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/type 'Z'/);
    expect(e.message).toContain('path weird');
  });

  it('a malformed PAX record is corrupt', async () => {
    const tar = await packTar([{ name: 'a', content: 'x', pax: { comment: 'hello' } }]);
    // The PAX body follows the first header: break its length prefix.
    tar.write('99', 512, 'latin1');
    expect((await readError(tar)).code).toBe('corrupt');
  });
});
