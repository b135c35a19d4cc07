/**
 * Large synthetic layers for the size tests (issue 18 §3): a plain ustar
 * writer that emits hundreds of thousands of small entries in a second or two
 * (tar-stream's packer is too slow at that scale), gzip'd by node:zlib.
 */
import { gzipSync } from 'node:zlib';
import { type BuiltLayer, OCI_LAYER_GZIP, sha256 } from './oci-build.js';

export interface RawEntry {
  name: string;
  content?: Buffer | string;
  type?: 'file' | 'dir';
}

function header(name: string, size: number, type: 'file' | 'dir'): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`name too long for this writer: ${name}`);
  h.write(name, 0, 'utf8');
  h.write(type === 'dir' ? '0000755\0' : '0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.fill(0x20, 148, 156);
  h.write(type === 'dir' ? '5' : '0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i] as number;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A tar of `entries` (generated lazily, so a caller can stream 130,000 of them). */
export function rawTar(entries: Iterable<RawEntry>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    parts.push(header(e.name, body.length, e.type ?? 'file'));
    if (body.length) {
      parts.push(body);
      const pad = (512 - (body.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function rawGzipLayer(entries: Iterable<RawEntry>): BuiltLayer {
  const tar = rawTar(entries);
  return { blob: gzipSync(tar, { level: 1 }), diffId: sha256(tar), mediaType: OCI_LAYER_GZIP };
}

/** A dpkg status file of `n` installed packages. */
export function dpkgStatus(n: number, extra = ''): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`Package: pkg${i}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.${i}-1\n\n`);
  return parts.join('') + extra;
}

/** A package-lock.json (v3) of `n` packages. */
export function packageLock(n: number): string {
  const packages: Record<string, unknown> = { '': { name: 'big', version: '1.0.0' } };
  for (let i = 0; i < n; i++) packages[`node_modules/p${i}`] = { version: `1.0.${i}` };
  return JSON.stringify({ name: 'big', version: '1.0.0', lockfileVersion: 3, packages });
}

export const DEBIAN_OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n';
