/**
 * An unpacked root filesystem (`strata rootfs DIR`, the running machine's `/`
 * included) as an Image: no layers, no manifest, just the directory that the
 * unpack stage walks instead of tar streams.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { StrataError, toStrataError } from '../core/errors.js';
import type { Image } from '../core/image.js';

export interface RootfsOptions {
  /** How the image is named in results (default: the directory as given). */
  name?: string;
}

export async function openRootfs(dir: string, options: RootfsOptions = {}): Promise<Image> {
  const name = options.name ?? dir;
  const where = { image: name };
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StrataError('not-found', `no such directory: ${dir}`, where);
    throw toStrataError(e, where, 'io');
  }
  if (!isDir) throw new StrataError('usage', `${dir} is not a directory (for an image archive use \`strata image --input ${dir}\`)`, where);
  return {
    name,
    source: 'rootfs',
    rootDir: path.resolve(dir),
    layers: [],
    close: () => Promise.resolve(),
  };
}
