import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { indexTar, resolveEntry, type TarEntry, type TarIndex } from './tar-index.js';

let root: string;
let src: string;
const longDir = `${'d'.repeat(90)}/${'e'.repeat(90)}`;
const longName = `${longDir}/${'f'.repeat(120)}.txt`;
const PREFIXED = `${'p'.repeat(60)}/${'q'.repeat(60)}`;

async function slice(index: TarIndex, entry: TarEntry): Promise<string> {
  const fh = await open(index.file, 'r');
  try {
    const buf = Buffer.alloc(entry.size);
    await fh.read(buf, 0, entry.size, entry.offset);
    return buf.toString();
  } finally {
    await fh.close();
  }
}

function makeTar(name: string, format: string): string {
  const file = path.join(root, name);
  execFileSync('tar', ['-C', src, `--format=${format}`, '-cf', file, '.']);
  return file;
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'strata-tarindex-'));
  src = path.join(root, 'src');
  mkdirSync(path.join(src, longDir), { recursive: true });
  mkdirSync(path.join(src, 'layer1'));
  writeFileSync(path.join(src, 'manifest.json'), '[{"Config":"c.json"}]');
  writeFileSync(path.join(src, 'big.tar'), 'x'.repeat(70_000));
  writeFileSync(path.join(src, longName), 'long name content');
  writeFileSync(path.join(src, 'empty'), '');
  symlinkSync('../big.tar', path.join(src, 'layer1', 'layer.tar'));
  symlinkSync('layer.tar', path.join(src, 'layer1', 'again.tar'));
  symlinkSync('../../etc/passwd', path.join(src, 'layer1', 'escape.tar'));
  symlinkSync('loop2', path.join(src, 'loop1'));
  symlinkSync('loop1', path.join(src, 'loop2'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('indexTar', () => {
  for (const format of ['gnu', 'pax', 'ustar']) {
    it(`finds members and their data offsets (${format})`, async () => {
      if (format === 'ustar') {
        // ustar cannot hold a 120-character base name; index a tar without it
        rmSync(path.join(root, 'ustar-src'), { recursive: true, force: true });
      }
      const file = format === 'ustar' ? makeUstar() : makeTar(`t-${format}.tar`, format);
      const index = await indexTar(file);
      const manifest = index.entries.get('manifest.json');
      expect(manifest?.type).toBe('file');
      expect(await slice(index, manifest as TarEntry)).toBe('[{"Config":"c.json"}]');
      const big = index.entries.get('big.tar') as TarEntry;
      expect(big.size).toBe(70_000);
      expect(await slice(index, big)).toBe('x'.repeat(70_000));
      expect(index.entries.get('empty')?.size).toBe(0);
      if (format !== 'ustar') {
        const long = index.entries.get(longName) as TarEntry;
        expect(await slice(index, long)).toBe('long name content');
      }
      expect(index.entries.get('layer1/layer.tar')).toMatchObject({ type: 'symlink', linkTarget: '../big.tar' });
      expect(index.entries.get('layer1')?.type).toBe('dir');
    });
  }

  function makeUstar(): string {
    const dir = path.join(root, 'ustar-src');
    mkdirSync(path.join(dir, 'layer1'), { recursive: true });
    mkdirSync(path.join(dir, PREFIXED), { recursive: true }); // needs the ustar prefix field
    writeFileSync(path.join(dir, 'manifest.json'), '[{"Config":"c.json"}]');
    writeFileSync(path.join(dir, 'big.tar'), 'x'.repeat(70_000));
    writeFileSync(path.join(dir, 'empty'), '');
    writeFileSync(path.join(dir, PREFIXED, 'in-prefix.txt'), 'prefixed');
    symlinkSync('../big.tar', path.join(dir, 'layer1', 'layer.tar'));
    const file = path.join(root, 't-ustar.tar');
    execFileSync('tar', ['-C', dir, '--format=ustar', '-cf', file, '.']);
    return file;
  }

  it('reads ustar prefix fields', async () => {
    const index = await indexTar(path.join(root, 't-ustar.tar'));
    const e = index.entries.get(`${PREFIXED}/in-prefix.txt`) as TarEntry;
    expect(await slice(index, e)).toBe('prefixed');
  });

  it('rejects files that are not tar archives, and truncated ones', async () => {
    const notTar = path.join(root, 'not.tar');
    writeFileSync(notTar, Buffer.alloc(2048, 0x41));
    await expect(indexTar(notTar, { image: 'x' })).rejects.toThrow('image x: not a tar archive (bad header checksum)');
    const short = path.join(root, 'short.tar');
    writeFileSync(short, 'tiny');
    await expect(indexTar(short)).rejects.toThrow('not a tar archive (too short)');
    const cut = path.join(root, 'cut.tar');
    writeFileSync(cut, readFileSync(makeTar('full.tar', 'gnu')));
    const index = await indexTar(cut);
    const big = index.entries.get('big.tar') as TarEntry;
    truncateSync(cut, big.offset + 1000);
    const e = await indexTar(cut).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).code).toBe('corrupt');
    expect((e as StrataError).message).toContain('truncated');
  });

  it('rejects a corrupted header', async () => {
    const file = path.join(root, 'corrupt.tar');
    const bytes = readFileSync(makeTar('ok.tar', 'gnu'));
    const index = await indexTar(path.join(root, 'ok.tar'));
    const big = index.entries.get('big.tar') as TarEntry;
    bytes[big.offset - 512 + 130] = 0x39; // a size digit
    writeFileSync(file, bytes);
    await expect(indexTar(file)).rejects.toThrow(/corrupt tar header at byte \d+/);
  });
});

describe('resolveEntry', () => {
  it('follows symlink chains inside the archive', async () => {
    const index = await indexTar(makeTar('links.tar', 'gnu'));
    expect(resolveEntry(index, 'layer1/layer.tar').name).toBe('big.tar');
    expect(resolveEntry(index, './layer1/again.tar').name).toBe('big.tar');
  });

  it('refuses escapes, loops, directories and missing members', async () => {
    const index = await indexTar(path.join(root, 'links.tar'));
    expect(() => resolveEntry(index, 'layer1/escape.tar')).toThrow(/links outside the archive/);
    expect(() => resolveEntry(index, 'loop1')).toThrow(/link loop/);
    expect(() => resolveEntry(index, 'layer1')).toThrow(/not a regular file/);
    expect(() => resolveEntry(index, 'nope.tar')).toThrow(/no member "nope.tar"/);
  });
});
