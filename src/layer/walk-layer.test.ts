import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import type { FileEntry, LayerVisitor } from '../core/file.js';
import type { Layer } from '../core/image.js';
import { walkLayer, type WalkLayerOptions } from './walk-layer.js';
import { blobLayer, gzipCli, packTar, RecordingVisitor, sha256, zstdCli, type PackEntry } from './testing/fixtures.js';

type Kind = 'gzip' | 'zstd' | 'none';

async function layerOf(entries: PackEntry[], kind: Kind = 'gzip'): Promise<ReturnType<typeof blobLayer>> {
  const tar = await packTar(entries);
  const blob = kind === 'gzip' ? gzipCli(tar) : kind === 'zstd' ? zstdCli(tar) : tar;
  return blobLayer(blob, { tar });
}

async function walkError(layer: Layer, visitor: LayerVisitor = new RecordingVisitor(), options: WalkLayerOptions = {}): Promise<StrataError> {
  try {
    await walkLayer(layer, visitor, { imageName: 'test/evil:1', ...options });
  } catch (e) {
    if (!(e instanceof StrataError)) throw e;
    return e;
  }
  throw new Error('expected walkLayer to fail');
}

const SAMPLE: PackEntry[] = [
  { name: './', type: 'directory' },
  { name: './etc/', type: 'directory' },
  { name: './etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
  { name: './etc/.wh.motd', content: '' },
  { name: './usr/bin/', type: 'directory' },
  { name: './usr/bin/perl', content: 'perl binary', mode: 0o755 },
  { name: './usr/bin/perl5.36', type: 'link', linkname: './usr/bin/perl' },
  { name: './usr/bin/sh', type: 'symlink', linkname: 'dash' },
  { name: './opt/app/', type: 'directory' },
  { name: './opt/app/.wh..wh..opq', content: '' },
  { name: './opt/app/package.json', content: '{"name":"demo-app","version":"2.0.0"}' },
  { name: './.wh..wh.plnk/', type: 'directory' },
  { name: './.wh..wh.plnk/123.456', content: 'aufs' },
  { name: './var/big.bin', content: Buffer.alloc(3000, 7) },
];

const wantSome = (e: FileEntry): boolean => /os-release$|package\.json$|perl|big\.bin$/.test(e.path);

describe('walkLayer: what the visitor sees', () => {
  for (const kind of ['gzip', 'zstd', 'none'] as const) {
    it(`${kind} layer: entries in order, whiteouts, opaque dirs, content before the next entry`, async () => {
      const layer = await layerOf(SAMPLE, kind);
      const v = new RecordingVisitor(wantSome, 1000);
      const stats = await walkLayer(layer, v, { imageName: 'test:1' });
      expect(v.events).toEqual([
        ['entry', 'etc', 'dir'],
        ['entry', 'etc/os-release', 'file'],
        ['content', 'etc/os-release', 'ID=debian\nVERSION_ID="12"\n'],
        ['whiteout', 'etc/motd'],
        ['entry', 'usr/bin', 'dir'],
        ['entry', 'usr/bin/perl', 'file'],
        ['content', 'usr/bin/perl', 'perl binary'],
        ['entry', 'usr/bin/perl5.36', 'hardlink'],
        ['content', 'usr/bin/perl5.36', 'perl binary'],
        ['entry', 'usr/bin/sh', 'symlink'],
        ['entry', 'opt/app', 'dir'],
        ['opaque', 'opt/app'],
        ['entry', 'opt/app/package.json', 'file'],
        ['content', 'opt/app/package.json', '{"name":"demo-app","version":"2.0.0"}'],
        ['entry', 'var/big.bin', 'file'],
        ['oversize', 'var/big.bin', 1000],
      ]);
      expect(v.entries.get('usr/bin/perl5.36')).toMatchObject({ linkTarget: 'usr/bin/perl', size: 11 });
      expect(v.entries.get('usr/bin/sh')).toMatchObject({ linkTarget: 'dash', size: 0 });
      expect(v.entries.get('usr/bin/perl')).toMatchObject({ mode: 0o755, uid: 0, gid: 0, mtime: 1_700_000_000 });
      expect(stats.compression).toBe(kind);
      expect(stats.entries).toBe(SAMPLE.length);
      expect(stats.compressedBytes).toBe(layer.size);
      expect(stats.uncompressedBytes).toBe((await packTar(SAMPLE)).length);
    });
  }

  it('decodes zstd the same way with the zstd program as with the worker thread', async () => {
    const layer = await layerOf(SAMPLE, 'zstd');
    const viaWorker = new RecordingVisitor(wantSome);
    const viaSpawn = new RecordingVisitor(wantSome);
    await walkLayer(layer, viaWorker, { zstdDecoder: 'worker' });
    await walkLayer(layer, viaSpawn, { zstdDecoder: 'spawn' });
    expect(viaSpawn.events).toEqual(viaWorker.events);
  });

  it('chooses the decompressor by magic bytes, whatever the media type says', async () => {
    const tar = await packTar(SAMPLE);
    const layer = { ...blobLayer(gzipSync(tar), { tar }), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
    expect((await walkLayer(layer, new RecordingVisitor())).compression).toBe('gzip');
  });

  it('walks several zstd and gzip layers at once (worker pool, shared thread pool)', async () => {
    const layers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        layerOf([{ name: `layer${i}/data.bin`, content: randomBytes(300_000 + i) }, { name: `layer${i}/id`, content: String(i) }], i % 2 ? 'zstd' : 'gzip'),
      ),
    );
    const visitors = layers.map(() => new RecordingVisitor((e) => e.path.endsWith('/id')));
    await Promise.all(layers.map((l, i) => walkLayer(l, visitors[i] as RecordingVisitor)));
    expect(visitors.map((v) => v.contents.get(`layer${visitors.indexOf(v)}/id`)?.toString())).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('a big file streams through in many chunks and arrives whole', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const layer = await layerOf([{ name: 'blob.bin', content: data }], 'zstd');
    const v = new RecordingVisitor(() => true, 10 * 1024 * 1024);
    await walkLayer(layer, v);
    expect(v.contents.get('blob.bin')?.equals(data)).toBe(true);
  });

  it('an aborted walk rejects with the abort reason and closes the blob stream', async () => {
    const layer = await layerOf([{ name: 'blob.bin', content: randomBytes(4 * 1024 * 1024) }], 'gzip');
    const controller = new AbortController();
    const visitor = new RecordingVisitor();
    visitor.entry = () => controller.abort(new Error('user pressed ^C'));
    await expect(walkLayer(layer, visitor, { signal: controller.signal })).rejects.toThrow('user pressed ^C');
    expect(layer.opened[0]?.destroyed).toBe(true);
  });
});

describe('walkLayer: digests', () => {
  it('a blob whose bytes do not match layer.digest fails with both digests named', async () => {
    const tar = await packTar(SAMPLE);
    const blob = gzipCli(tar);
    const wrong = sha256(Buffer.from('something else'));
    const e = await walkError(blobLayer(blob, { tar, digest: wrong }));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(`expected ${wrong}`);
    expect(e.message).toContain(`actual ${sha256(blob)}`);
    expect(e.message).toContain('image test/evil:1');
  });

  it('a tar that does not match the diffID fails', async () => {
    const tar = await packTar(SAMPLE);
    const wrong = sha256(Buffer.from('other tar'));
    const e = await walkError(blobLayer(gzipCli(tar), { diffId: wrong }));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(`layer diffID mismatch: expected ${wrong}, actual ${sha256(tar)}`);
  });

  it('an uncompressed layer must have digest == diffID', async () => {
    const tar = await packTar(SAMPLE);
    const e = await walkError(blobLayer(tar, { diffId: sha256(Buffer.from('x')) }));
    expect(e.code).toBe('digest-mismatch');
  });

  it('a blob longer than its descriptor size is refused while streaming', async () => {
    const tar = await packTar(SAMPLE);
    const blob = gzipCli(tar);
    const e = await walkError(blobLayer(blob, { tar, size: blob.length - 10 }));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toMatch(/larger than the \d+ bytes the manifest declares/);
  });

  it('verifies sha512 digests too', async () => {
    const tar = await packTar(SAMPLE);
    const { createHash } = await import('node:crypto');
    const layer = blobLayer(tar, {
      digest: `sha512:${createHash('sha512').update(tar).digest('hex')}`,
      diffId: `sha512:${createHash('sha512').update(tar).digest('hex')}`,
    });
    expect((await walkLayer(layer, new RecordingVisitor())).entries).toBe(SAMPLE.length);
  });
});

describe('walkLayer: bad input fails with a clear error and writes nothing', () => {
  const marker = `strata-evil-${process.pid}-${Date.now()}`;
  /** Where an extracting tool would have written the malicious entries. */
  const wouldBeWritten = [path.resolve('..', '..', marker), path.resolve('/tmp', marker), path.resolve(marker), `/etc/${marker}`];
  const nothingWritten = (): void => {
    for (const p of wouldBeWritten) expect(existsSync(p), p).toBe(false);
  };

  const unsafe: Array<[string, PackEntry[], RegExp, string]> = [
    ['path traversal', [{ name: `../../${marker}`, content: 'pwned' }], /escapes the layer root/, `../../${marker}`],
    ['traversal hidden mid-path', [{ name: `usr/../../tmp/${marker}`, content: 'pwned' }], /escapes the layer root/, `usr/../../tmp/${marker}`],
    ['absolute path', [{ name: `/tmp/${marker}`, content: 'pwned' }], /absolute path/, `/tmp/${marker}`],
    [
      'hard link escaping the layer',
      [{ name: 'passwd', type: 'link', linkname: '../../../etc/passwd' }],
      /escapes the layer root/,
      'passwd',
    ],
    ['hard link to an absolute path', [{ name: 'shadow', type: 'link', linkname: '/etc/shadow' }], /absolute path/, 'shadow'],
    [
      'hard link to a file not in the layer',
      [{ name: 'shadow', type: 'link', linkname: 'etc/shadow' }],
      /not a file stored earlier in this layer/,
      'shadow',
    ],
    [
      'hard link to a directory',
      [
        { name: 'etc/', type: 'directory' },
        { name: 'etc-link', type: 'link', linkname: 'etc' },
      ],
      /not a file stored earlier/,
      'etc-link',
    ],
    ['NUL byte in a PAX name', [{ name: 'x', content: 'x', pax: { path: `etc/pass\0wd` } }], /NUL byte/, 'etc/pass\\x00wd'],
    ['layer root replaced by a symlink', [{ name: './', type: 'symlink', linkname: '/etc' }], /root entry/, './'],
    ['whiteout of its own parent', [{ name: 'etc/.wh...', content: '' }], /own directory or a parent/, 'etc/.wh...'],
  ];

  for (const [label, entries, message, shownPath] of unsafe) {
    it(`${label} → unsafe`, async () => {
      const layer = await layerOf(entries);
      const e = await walkError(layer);
      expect(e.code).toBe('unsafe');
      expect(e.message).toMatch(message);
      expect(e.message).toContain(`layer ${layer.digest}`);
      expect(e.message).toContain('image test/evil:1');
      expect(e.where.path).toBe(shownPath);
      expect(layer.opened[0]?.destroyed).toBe(true);
      nothingWritten();
    });
  }

  it('device nodes and FIFOs are valid entries (OCI layer.md): reported, never read, the rest walked', async () => {
    const layer = await layerOf([
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
      { name: 'run/initctl', type: 'fifo' },
      { name: 'etc/os-release', content: 'ID=debian\n' },
    ]);
    // Wants everything: a device or FIFO must still never be asked for content.
    const v = new RecordingVisitor(() => true, 1000);
    await walkLayer(layer, v);
    expect(v.events).toEqual([
      ['entry', 'dev/null', 'char'],
      ['entry', 'dev/sda', 'block'],
      ['entry', 'run/initctl', 'fifo'],
      ['entry', 'etc/os-release', 'file'],
      ['content', 'etc/os-release', 'ID=debian\n'],
    ]);
  });

  /** A tar with one 2 GiB file of zeros: a gzip (or zstd) stream of a few MiB. */
  async function bomb(kind: 'gzip' | 'zstd'): Promise<ReturnType<typeof blobLayer>> {
    const header = (await packTar([{ name: 'zeros.bin', content: Buffer.alloc(1) }])).subarray(0, 512);
    header.write('00020000000000', 124, 'latin1'); // size: 2 GiB (octal)
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += header[i] ?? 0;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const compress = kind === 'gzip' ? gzipCli : zstdCli;
    // Concatenated members/frames are one valid stream: 32 × 64 MiB of zeros.
    const zeros = compress(Buffer.alloc(64 * 1024 * 1024));
    const blob = Buffer.concat([compress(header), ...Array.from({ length: 32 }, () => zeros), compress(Buffer.alloc(1024))]);
    return blobLayer(blob, { diffId: sha256(Buffer.from('never computed')), chunk: 64 * 1024 });
  }

  for (const kind of ['gzip', 'zstd'] as const) {
    it(`a ${kind} bomb (2 GiB of zeros) is stopped at the ratio limit, long before its end`, async () => {
      const layer = await bomb(kind);
      const v = new RecordingVisitor(() => true);
      const e = await walkError(layer, v);
      expect(e.code).toBe('limit');
      expect(e.message).toMatch(/decompression bomb: .* expanded to more than 256\.\d MiB \(over 200:1\)/);
      expect(e.message).toContain(`layer ${layer.digest}`);
      // The file was too big to be wanted; the stream was cut, not read to the end.
      expect(v.events).toEqual([['entry', 'zeros.bin', 'file'], ['oversize', 'zeros.bin', 1 << 20]]);
      // Stopped within a few chunks of the limit, not after 2 GiB.
      const expanded = Number(/more than ([\d.]+) MiB/.exec(e.message)?.[1]);
      expect(expanded).toBeGreaterThanOrEqual(256);
      expect(expanded).toBeLessThan(270);
      expect(layer.opened[0]?.destroyed).toBe(true);
      if (kind === 'gzip') expect(layer.opened[0]?.readableEnded).toBe(false); // the zstd blob is a single 64 KiB chunk
    });
  }

  it('the absolute size cap holds even at a modest ratio', async () => {
    const layer = await layerOf([{ name: 'rand.bin', content: randomBytes(2 * 1024 * 1024) }]);
    const e = await walkError(layer, new RecordingVisitor(), { limits: { maxUncompressedBytes: 1024 * 1024 } });
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(/more than 1\.0 MiB/);
  });

  it('a truncated gzip blob is corrupt', async () => {
    const tar = await packTar([{ name: 'rand.bin', content: randomBytes(200_000) }]);
    const blob = gzipCli(tar);
    const cut = blob.subarray(0, Math.floor(blob.length / 2));
    const e = await walkError(blobLayer(cut, { tar, size: -1 }));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/truncated gzip stream/);
    expect(e.message).toContain(`layer ${sha256(cut)}`);
  });

  it('a blob shorter than its descriptor says is corrupt (truncated), even when it ends cleanly', async () => {
    const tar = await packTar(SAMPLE);
    const blob = gzipCli(tar);
    const e = await walkError(blobLayer(blob, { tar, size: blob.length + 100 }));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/truncated blob: read \d+ of the \d+ bytes/);
  });

  it('corrupt gzip data is corrupt', async () => {
    const tar = await packTar([{ name: 'rand.bin', content: randomBytes(200_000) }]);
    const blob = gzipCli(tar);
    for (let i = 1000; i < 1100; i++) blob[i] = 0xff;
    const e = await walkError(blobLayer(blob, { tar }));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/corrupt gzip stream/);
  });

  for (const decoder of ['worker', 'spawn'] as const) {
    it(`corrupt and truncated zstd data is corrupt (${decoder})`, async () => {
      // Compressible text, so the damage lands in entropy-coded blocks, past the tar header.
      const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i} ${i % 7 ? 'foo' : 'bar'}\n`).join(''));
      const tar = await packTar([{ name: 'log.txt', content: text }]);
      const blob = zstdCli(tar);
      const bad = Buffer.from(blob);
      const mid = Math.floor(blob.length * 0.6);
      for (let i = mid; i < mid + 64; i++) bad[i] = 0x55;
      const e1 = await walkError(blobLayer(bad, { tar }), undefined, { zstdDecoder: decoder });
      expect(e1.code).toBe('corrupt');
      expect(e1.message).toMatch(/zstd stream/);
      const e2 = await walkError(blobLayer(blob.subarray(0, blob.length - 100), { tar, size: -1 }), undefined, { zstdDecoder: decoder });
      expect(e2.code).toBe('corrupt');
      expect(e2.message).toMatch(/truncated zstd stream/);
    });
  }

  it('a corrupt tar inside valid gzip is corrupt', async () => {
    const tar = await packTar(SAMPLE);
    tar[600] = (tar[600] ?? 0) ^ 0xff; // second header's name
    const e = await walkError(blobLayer(gzipCli(tar), { tar }));
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/checksum/);
  });

  it('random bytes (no compression magic, not a tar) are corrupt', async () => {
    const junk = randomBytes(10_000);
    junk[0] = 0x41;
    const e = await walkError(blobLayer(junk));
    expect(e.code).toBe('corrupt');
  });

  it('a bzip2 layer is unsupported, by name', async () => {
    const e = await walkError(blobLayer(Buffer.from('BZh91AY&SY fake')));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/bzip2/);
  });

  it('too many entries or too long a path hits a limit', async () => {
    const layer = await layerOf(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: '' })));
    const e = await walkError(layer, undefined, { limits: { maxEntries: 10 } });
    expect(e.code).toBe('limit');
    expect(e.message).toMatch(/more than 10 entries/);
    const deep = await layerOf([{ name: `${'d/'.repeat(2100)}f`, content: '' }]);
    const e2 = await walkError(deep);
    expect(e2.code).toBe('limit');
    expect(e2.message).toMatch(/4096-byte limit/);
  });

  it('a failing blob source ends the walk with an io error', async () => {
    const tar = await packTar(SAMPLE);
    const layer = blobLayer(gzipCli(tar), { tar });
    const { Readable } = await import('node:stream');
    const broken: Layer = {
      ...layer,
      open: () =>
        Promise.resolve(
          new Readable({
            read() {
              this.destroy(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
            },
          }),
        ),
    };
    const e = await walkError(broken);
    expect(e.code).toBe('io');
    expect(e.message).toContain('connection reset');
  });

  it('a visitor error stops the walk and comes back unchanged', async () => {
    const layer = await layerOf(SAMPLE);
    const v = new RecordingVisitor(() => true);
    const boom = new Error('scanner exploded');
    v.content = () => Promise.reject(boom);
    await expect(walkLayer(layer, v)).rejects.toBe(boom);
    expect(layer.opened[0]?.destroyed).toBe(true);
  });
});
