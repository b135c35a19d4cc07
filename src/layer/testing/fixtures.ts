/**
 * Test helpers (not part of the build): tar archives made by real writers
 * (tar-stream's packer, GNU tar, gzip, zstd), layers over in-memory blobs, and
 * a visitor that records what it is told.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import type { FileEntry, LayerVisitor } from '../../core/file.js';
import type { Layer } from '../../core/image.js';

export interface PackEntry {
  name: string;
  type?: 'file' | 'link' | 'symlink' | 'directory' | 'character-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  size?: number;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

/** A tar made by tar-stream's packer (an independent writer). */
export async function packTar(entries: PackEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = typeof e.content === 'string' ? Buffer.from(e.content) : e.content;
    const header: Partial<tarStream.Header> & { name: string } = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.devmajor !== undefined ? { devmajor: e.devmajor, devminor: e.devminor ?? 0 } : {}),
      ...(e.pax ? { pax: e.pax } : {}),
      ...(type === 'file' ? { size: e.size ?? body?.length ?? 0 } : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, body ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Runs GNU tar in a temp dir prepared by `prepare`, returns the archive. */
export function gnuTar(args: string[], prepare: (dir: string) => void): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-layer-test-'));
  try {
    prepare(dir);
    return execFileSync('tar', ['-C', dir, '-cf', '-', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', ...args], {
      maxBuffer: 1 << 30,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function gzipCli(data: Buffer): Buffer {
  return execFileSync('gzip', ['-c', '-n'], { input: data, maxBuffer: 1 << 30 });
}

export function zstdCli(data: Buffer): Buffer {
  return execFileSync('zstd', ['-c', '-q'], { input: data, maxBuffer: 1 << 30 });
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface BlobLayerOptions {
  /** The uncompressed tar (for the diffID); defaults to `blob` itself. */
  tar?: Buffer;
  digest?: string;
  diffId?: string;
  size?: number;
  /** Chunk size the blob is streamed in. */
  chunk?: number;
  index?: number;
}

export const TEST_DIGEST_OF_NOTHING = sha256(Buffer.alloc(0));

/** A Layer over bytes in memory, streamed in small chunks so chunk borders get exercised. */
export function blobLayer(blob: Buffer, options: BlobLayerOptions = {}): Layer & { opened: Readable[] } {
  const opened: Readable[] = [];
  const chunk = options.chunk ?? 7 * 1024 + 3;
  return {
    index: options.index ?? 0,
    digest: options.digest ?? sha256(blob),
    diffId: options.diffId ?? sha256(options.tar ?? blob),
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    size: options.size ?? blob.length,
    opened,
    open() {
      const s = Readable.from(chunks(blob, chunk), { objectMode: false });
      opened.push(s);
      return Promise.resolve(s);
    },
  };
}

function* chunks(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export type Event =
  | ['entry', string, FileEntry['type']]
  | ['content', string, string]
  | ['oversize', string, number]
  | ['whiteout', string]
  | ['opaque', string];

/** Records every call; wants the files `want` accepts (byte limit `limit`). */
export class RecordingVisitor implements LayerVisitor {
  readonly events: Event[] = [];
  readonly entries = new Map<string, FileEntry>();
  readonly contents = new Map<string, Buffer>();

  constructor(
    private readonly want: (e: FileEntry) => boolean = () => false,
    private readonly limit = 1 << 20,
  ) {}

  entry(e: FileEntry): void {
    this.events.push(['entry', e.path, e.type]);
    this.entries.set(e.path, e);
  }

  wants(e: FileEntry): number {
    return this.want(e) ? this.limit : 0;
  }

  async content(e: FileEntry, data: Buffer): Promise<void> {
    // A real scanner parses asynchronously: make the walk wait for it.
    await new Promise((resolve) => setImmediate(resolve));
    this.events.push(['content', e.path, data.length > 64 ? `${data.length} bytes` : data.toString('latin1')]);
    this.contents.set(e.path, data);
  }

  oversize(e: FileEntry, limit: number): void {
    this.events.push(['oversize', e.path, limit]);
  }

  whiteout(p: string): void {
    this.events.push(['whiteout', p]);
  }

  opaque(d: string): void {
    this.events.push(['opaque', d]);
  }
}

/**
 * Writes an OCI image layout (`index.json`, `oci-layout`, `blobs/sha256/…`)
 * holding one image made of `layers` (uncompressed tars, stored gzip'd by the
 * gzip program), tagged `tag`. Real tools (umoci, skopeo) read it.
 */
export function writeOciLayout(dir: string, layers: Buffer[], tag = 'test'): void {
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer): { digest: string; size: number } => {
    const digest = sha256(data);
    writeFileSync(path.join(blobs, digest.slice(7)), data);
    return { digest, size: data.length };
  };
  const layerDescriptors = layers.map((tar) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipCli(tar)) }));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i + 1}` })),
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(Buffer.from(JSON.stringify(config))) },
    layers: layerDescriptors,
  };
  const manifestDescriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...put(Buffer.from(JSON.stringify(manifest))) };
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
}
