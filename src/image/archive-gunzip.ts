/**
 * A gzip'd image archive (`docker save | gzip`) cannot be read as byte
 * ranges, so it is decompressed once into a private temp folder — with the
 * guards a layer gets: a compression ratio beyond which a large output is a
 * decompression bomb, and an absolute size cap; a full disk is named as such.
 * The folder is removed on every exit path, signals included, and folders
 * left by a killed run are swept on the next one (util/temp-files.ts).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import { StrataError, toStrataError, type ErrorWhere } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_BOMB_MIN_BYTES, DEFAULT_MAX_RATIO, formatBytes } from '../util/decompression-limits.js';
import { makeTempDir, sweepStaleTemp } from '../util/temp-files.js';

const PREFIX = 'strata-archive-';
/** A whole image, not one layer: twice the per-layer cap. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 ** 3;

export interface ArchiveLimits {
  maxRatio: number;
  bombMinBytes: number;
  maxBytes: number;
}

const DEFAULTS: ArchiveLimits = { maxRatio: DEFAULT_MAX_RATIO, bombMinBytes: DEFAULT_BOMB_MIN_BYTES, maxBytes: MAX_ARCHIVE_BYTES };

/** Counts bytes in and out of the gunzip stream and stops it when the output outgrows the limits. */
class RatioGuard extends Transform {
  compressed = 0;
  private out = 0;

  constructor(
    private readonly file: string,
    private readonly limits: ArchiveLimits,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.out += chunk.length;
    if (this.out > this.limits.maxBytes) {
      done(new StrataError('limit', `gzip'd archive ${this.file} expands to more than ${formatBytes(this.limits.maxBytes)}; decompress it yourself if it really is that big`));
      return;
    }
    if (this.out > this.limits.bombMinBytes && this.out > this.compressed * this.limits.maxRatio) {
      done(
        new StrataError(
          'limit',
          `gzip'd archive ${this.file} expands more than ${this.limits.maxRatio}× (${formatBytes(this.out)} from the first ${formatBytes(this.compressed)}): a decompression bomb, not an image; stopped`,
        ),
      );
      return;
    }
    done(null, chunk);
  }
}

/** Decompresses `file` into a temp folder; returns the tar's path and how to remove it. */
export async function gunzipArchive(
  file: string,
  where: ErrorWhere,
  logger: Logger,
  limits: Partial<ArchiveLimits> = {},
): Promise<{ tarFile: string; remove: () => Promise<void> }> {
  for (const stale of sweepStaleTemp(PREFIX)) logger.debug(`removed ${stale}, left by a run that was killed`);
  const temp = makeTempDir(PREFIX);
  const tarFile = path.join(temp.dir, 'archive.tar');
  logger.debug(`${file} is gzip-compressed; decompressing to ${tarFile} to index it`);
  const guard = new RatioGuard(file, { ...DEFAULTS, ...limits });
  const source = createReadStream(file);
  source.on('data', (chunk: Buffer | string) => (guard.compressed += chunk.length));
  try {
    await pipeline(source, createGunzip({ chunkSize: 128 * 1024 }), guard, createWriteStream(tarFile));
    return { tarFile, remove: temp.remove };
  } catch (e) {
    await temp.remove();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new StrataError('io', `no space left in ${path.dirname(temp.dir)} while decompressing gzip'd archive ${file}: free space there, point TMPDIR at a bigger disk, or decompress the archive first`, where, { cause: e });
    }
    throw toStrataError(e, where, 'corrupt');
  }
}
