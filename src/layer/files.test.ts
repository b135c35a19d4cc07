import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import type { Image, Layer } from '../core/image.js';
import { listImageFiles } from './files.js';
import { blobLayer, gzipCli, packTar, zstdCli, type PackEntry } from './testing/fixtures.js';

function imageOf(layers: Layer[]): Image {
  return { name: 'test/files:1', source: 'oci-layout', layers, close: () => Promise.resolve() };
}

async function layer(index: number, entries: PackEntry[], kind: 'gzip' | 'zstd' = 'gzip'): Promise<Layer> {
  const tar = await packTar(entries);
  return blobLayer(kind === 'gzip' ? gzipCli(tar) : zstdCli(tar), { tar, index });
}

const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('listImageFiles', () => {
  it('stacks layers in order whatever their walks finish first (1 or 3 at once)', async () => {
    const layers = [
      await layer(0, [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/motd', content: 'hi' },
        { name: 'big.bin', content: Buffer.alloc(2_000_000, 3) }, // the slowest walk
        { name: 'usr/bin/perl', content: 'perl', mode: 0o755 },
        { name: 'usr/bin/perl5', type: 'link', linkname: 'usr/bin/perl' },
      ]),
      await layer(1, [{ name: 'etc/.wh.motd', content: '' }, { name: 'etc/issue', content: 'v1' }], 'zstd'),
      await layer(2, [{ name: 'etc/issue', content: 'v2!' }]),
    ];
    const one = await listImageFiles(imageOf(layers), { parallel: 1 });
    const three = await listImageFiles(imageOf(layers), { parallel: 3 });
    expect([...three.entries()]).toEqual([...one.entries()]);
    expect([...one.keys()]).toEqual(['big.bin', 'etc', 'etc/issue', 'usr', 'usr/bin', 'usr/bin/perl', 'usr/bin/perl5']);
    expect(one.get('etc/issue')?.size).toBe(3);
    expect(one.get('usr')).toMatchObject({ type: 'dir', mode: 0o755 });
    expect(one.get('usr/bin/perl5')).toMatchObject({ type: 'hardlink', mode: 0o755, size: 4, linkTarget: 'usr/bin/perl' });
  });

  it('a bad layer fails the listing with the image and layer named, while other walks still run', async () => {
    const good = await layer(0, [{ name: 'big.bin', content: Buffer.alloc(3_000_000, 1) }]);
    const tar = await packTar([{ name: 'x', content: 'x' }]);
    const corrupt = blobLayer(gzipCli(tar).subarray(0, 30), { tar, index: 1, size: -1 });
    const err = await listImageFiles(imageOf([good, corrupt, await layer(2, [{ name: 'y', content: 'y' }])]), { parallel: 3 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('corrupt');
    expect((err as StrataError).message).toContain(`image test/files:1, layer ${corrupt.digest}`);
  });

  it('lists a rootfs image by walking its directory', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'strata-files-'));
    cleanup.push(root);
    mkdirSync(path.join(root, 'etc'));
    writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=x\n');
    symlinkSync('os-release', path.join(root, 'etc', 'link'));
    const files = await listImageFiles({ ...imageOf([]), source: 'rootfs', rootDir: root });
    expect([...files.values()].map((e) => [e.path, e.type, e.size])).toEqual([
      ['etc', 'dir', 0],
      ['etc/link', 'symlink', 0],
      ['etc/os-release', 'file', 5],
    ]);
  });
});
