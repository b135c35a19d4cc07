/**
 * One file a source reads: always local (URLs are downloaded first, see
 * fetch.ts), with where it came from and a fingerprint used to decide whether
 * an incremental build can copy the previous database's rows instead of
 * re-reading it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { openDecompressed } from './decompress.js';

export interface Resource {
  /** File name or URL, as skip reasons and errors show it. */
  name: string;
  /** Local path of the content (a download lands in a temp dir). */
  path: string;
  /** Where it came from: the path or the URL. */
  location: string;
  /** sha256 of the raw (possibly compressed) bytes, `sha256:…`. */
  sha256: string;
  /** HTTP validators, when it was downloaded. */
  etag?: string;
  lastModified?: string;
}

export function openResource(resource: Resource): Promise<Readable> {
  return openDecompressed(resource.path);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}

export async function localResource(file: string): Promise<Resource> {
  const abs = path.resolve(file);
  return { name: path.basename(abs), path: abs, location: abs, sha256: await sha256File(abs) };
}
