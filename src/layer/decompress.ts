/**
 * Layer compression, chosen by magic bytes (a media type can lie, and docker
 * archives say nothing): gzip → node:zlib on the libuv thread pool; zstd → a
 * worker thread (see zstd.ts), or the `zstd` program when the native module
 * is missing; anything else is read as a plain tar. Formats a layer may not
 * use (bzip2, xz) are named instead of failing as "corrupt tar".
 */
import { spawn } from 'node:child_process';
import { Duplex, type Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, type ZlibOptions } from 'node:zlib';
import { StrataError, type ErrorWhere } from '../core/errors.js';
import { ZstdDataError, ZstdWorkerStream, zstdWorkerAvailable } from './zstd.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** zlib output chunk: 128 KiB instead of 16 KiB saves ~40 % of gunzip time. */
const GUNZIP_CHUNK = 128 * 1024;

/** How zstd layers are decoded: in a worker thread (default) or by the `zstd` program. */
export type ZstdDecoder = 'worker' | 'spawn';

/** Reads which compression `head` (the first bytes of a blob) starts with. */
export function detectCompression(head: Buffer, where: ErrorWhere): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4) {
    const magic = head.readUInt32LE(0);
    // A zstd frame, or a skippable frame (0x184D2A50–5F) that may precede one.
    if (magic === 0xfd2fb528 || (magic & 0xfffffff0) === 0x184d2a50) return 'zstd';
  }
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') {
    throw new StrataError('unsupported', 'layer is bzip2-compressed; OCI layers are tar, tar+gzip or tar+zstd', where);
  }
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) {
    throw new StrataError('unsupported', 'layer is xz-compressed; OCI layers are tar, tar+gzip or tar+zstd', where);
  }
  return 'none';
}

export interface DecompressorOptions {
  zstdDecoder?: ZstdDecoder | undefined;
  /** For the zstd worker: hash the compressed input there with this algorithm (`inputDigest`). */
  hashInput?: string;
}

/**
 * A Duplex from compressed to uncompressed bytes. The zstd worker stream is
 * created in zero-copy mode when `hashInput` is set: its consumer (walkLayer)
 * releases each chunk after use.
 */
export function createDecompressor(compression: 'gzip' | 'zstd', options: DecompressorOptions = {}): Duplex {
  // A readable buffer of several chunks lets inflate run ahead while the
  // main thread hashes and parses; at the default 16 KiB every 128 KiB push
  // "fills" it and zlib waits for each read (measured 2.6× slower).
  // (zlib hands its options to the Transform constructor; @types/node only lists the zlib ones.)
  if (compression === 'gzip') return createGunzip({ chunkSize: GUNZIP_CHUNK, readableHighWaterMark: 8 * GUNZIP_CHUNK } as ZlibOptions);
  const decoder = options.zstdDecoder ?? (zstdWorkerAvailable() ? 'worker' : 'spawn');
  if (decoder === 'spawn') return spawnZstd();
  try {
    return new ZstdWorkerStream(options.hashInput ? { hashInput: options.hashInput, zeroCopy: true } : {});
  } catch {
    // No worker threads here (a restricted runtime): the program still works.
    return spawnZstd();
  }
}

/** Turns what a decompressor threw into a `corrupt` (or `limit`) error naming the format. */
export function decompressionError(e: unknown, compression: Compression, where: ErrorWhere): StrataError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (compression === 'gzip' && typeof err?.code === 'string' && err.code.startsWith('Z_')) {
    const truncated = err.code === 'Z_BUF_ERROR' || err.errno === zlibConstants.Z_BUF_ERROR;
    return new StrataError('corrupt', truncated ? `truncated gzip stream (${err.message})` : `corrupt gzip stream: ${err.message}`, where, {
      cause: e,
    });
  }
  if (e instanceof ZstdDataError) {
    if (/memory|window/i.test(e.message)) {
      return new StrataError('limit', `zstd frame needs a window larger than the 128 MiB limit (${e.message})`, where, { cause: e });
    }
    const truncated = /truncated|middle of|premature end/i.test(e.message);
    return new StrataError('corrupt', truncated ? `truncated zstd stream (${e.message})` : `corrupt zstd stream: ${e.message}`, where, {
      cause: e,
    });
  }
  if (err?.code === 'ENOENT' && (err as { path?: string }).path === 'zstd') {
    return new StrataError('unsupported', 'zstd layer, but neither zstd-napi nor the zstd program is available', where, { cause: e });
  }
  return undefined;
}

/**
 * Reads until `n` bytes (or the end) are buffered and puts them back, so the
 * caller can look at the head of a stream and still pipe all of it.
 */
export function peek(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const finish = (): void => {
      cleanup();
      const head = Buffer.concat(parts);
      if (head.length) stream.unshift(head);
      resolve(head);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (have < n && (chunk = stream.read() as Buffer | null) !== null) {
        parts.push(chunk);
        have += chunk.length;
      }
      if (have >= n) finish();
    };
    const onEnd = (): void => finish();
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const onClose = (): void => {
      if (!stream.readableEnded) onError(new Error('stream closed before its end'));
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** `zstd -dc` as a Duplex, for machines where zstd-napi could not be built. */
function spawnZstd(): Duplex {
  const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exited = false;
  const duplex = new Duplex({
    write(chunk: Buffer, _enc, cb) {
      if (child.stdin.write(chunk)) cb();
      else child.stdin.once('drain', () => cb());
    },
    final(cb) {
      child.stdin.end(() => cb());
    },
    read() {
      child.stdout.resume();
    },
    destroy(err, cb) {
      if (!exited) child.kill('SIGKILL');
      cb(err);
    },
  });
  child.stdout.on('data', (c: Buffer) => {
    if (!duplex.push(c)) child.stdout.pause();
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  // EPIPE when zstd quits early on bad input: the exit status says why.
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => duplex.destroy(e));
  child.on('close', (code, signal) => {
    exited = true;
    if (code === 0) duplex.push(null);
    else if (!duplex.destroyed) {
      duplex.destroy(new ZstdDataError(stderr.trim().replace(/^zstd: /, '') || `zstd exited with ${code ?? signal}`));
    }
  });
  return duplex;
}
