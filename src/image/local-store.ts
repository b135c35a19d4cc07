/**
 * Local image bytes behind one small interface, so the OCI layout code reads
 * a directory and an OCI archive the same way and the docker-archive code
 * reads tar members: a directory's files, or members of an indexed tar file
 * served as byte-range slices (never extracted). A gzip-compressed archive
 * (`docker save | gzip`) cannot be sliced, so it is decompressed once into a
 * private temp dir that `close()` removes (with a layer's bomb guards, and
 * removed on signals too: archive-gunzip.ts).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, lstat, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { StrataError, toStrataError, type ErrorWhere } from '../core/errors.js';
import type { BlobHash } from '../core/image.js';
import type { Logger } from '../core/log.js';
import { describeFileType } from '../util/regular-file.js';
import { gunzipArchive } from './archive-gunzip.js';
import { indexTar, resolveEntry, type TarIndex } from './tar-index.js';

/** Read size for local blobs: big reads keep syscalls few; the layer stage decompresses in 128 KiB chunks. */
const READ_CHUNK = 1024 * 1024;

export interface LocalStore {
  /** For messages: the directory or archive path. */
  readonly location: string;
  has(name: string): Promise<boolean>;
  /** Size in bytes of a member/file. */
  size(name: string, where: ErrorWhere): Promise<number>;
  /** Reads a small member whole, refusing more than `limit` bytes. */
  read(name: string, limit: number, what: string, where: ErrorWhere): Promise<Buffer>;
  /** The first `length` bytes (compression sniffing). */
  head(name: string, length: number, where: ErrorWhere): Promise<Buffer>;
  /** Streams a member/file; aborting `signal` destroys the stream. */
  open(name: string, where: ErrorWhere, signal?: AbortSignal): Promise<Readable>;
  /** Digest (`algorithm:hex`) and length of a member/file's bytes as they are now (`Layer.hash`). */
  hash(name: string, algorithm: string, where: ErrorWhere, signal?: AbortSignal): Promise<BlobHash>;
  close(): Promise<void>;
}

function tooBig(what: string, size: number, limit: number, where: ErrorWhere): StrataError {
  return new StrataError('limit', `${what} is ${size} bytes, more than the ${limit / 1024 / 1024} MiB limit`, where);
}

/** Files under a directory (an OCI image layout). Names are `/`-separated and may not climb out. */
export class DirStore implements LocalStore {
  constructor(readonly location: string) {}

  private resolve(name: string, where: ErrorWhere): string {
    const normalized = path.posix.normalize(name);
    if (normalized.startsWith('../') || path.posix.isAbsolute(normalized)) {
      throw new StrataError('unsafe', `refusing to read "${name}" outside ${this.location}`, where);
    }
    return path.join(this.location, ...normalized.split('/'));
  }

  async has(name: string): Promise<boolean> {
    try {
      return (await stat(this.resolve(name, {}))).isFile();
    } catch {
      return false;
    }
  }

  private async fileStat(name: string, where: ErrorWhere) {
    const file = this.resolve(name, where);
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new StrataError('corrupt', `${file} is ${describeFileType(s)}, not a regular file`, where);
      return { file, size: s.size };
    } catch (e) {
      if (e instanceof StrataError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new StrataError('not-found', `${name} is missing from ${this.location}`, where);
      throw toStrataError(e, where, 'io');
    }
  }

  async size(name: string, where: ErrorWhere): Promise<number> {
    return (await this.fileStat(name, where)).size;
  }

  async read(name: string, limit: number, what: string, where: ErrorWhere): Promise<Buffer> {
    const { file, size } = await this.fileStat(name, where);
    if (size > limit) throw tooBig(what, size, limit, where);
    try {
      return await readFile(file);
    } catch (e) {
      throw toStrataError(e, where, 'io');
    }
  }

  async head(name: string, length: number, where: ErrorWhere): Promise<Buffer> {
    const { file } = await this.fileStat(name, where);
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async open(name: string, where: ErrorWhere, signal?: AbortSignal): Promise<Readable> {
    const { file } = await this.fileStat(name, where);
    return withSignal(createReadStream(file, { highWaterMark: READ_CHUNK }), signal);
  }

  async hash(name: string, algorithm: string, where: ErrorWhere, signal?: AbortSignal): Promise<BlobHash> {
    const { file } = await this.fileStat(name, where);
    // To the end of the file as it is now, not the size stat() saw.
    return hashRange(file, 0, Infinity, algorithm, where, signal);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Members of a tar file, located once by indexTar and read as byte ranges. */
export class TarStore implements LocalStore {
  private constructor(
    readonly location: string,
    readonly index: TarIndex,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /**
   * Indexes `file` (decompressing a gzip'd archive into a temp dir first).
   * `location` is how messages name it.
   */
  static async create(file: string, where: ErrorWhere, logger: Logger): Promise<TarStore> {
    const magic = await fileHead(file, 6, where);
    let tarFile = file;
    let cleanup = (): Promise<void> => Promise.resolve();
    try {
      if (magic[0] === 0x1f && magic[1] === 0x8b) {
        const unpacked = await gunzipArchive(file, where, logger);
        tarFile = unpacked.tarFile;
        cleanup = unpacked.remove;
      } else if (magic.length >= 4 && magic.readUInt32LE(0) === 0xfd2fb528) {
        throw new StrataError('unsupported', `${file} is zstd-compressed; decompress it first (zstd -d)`, where);
      } else if (magic[0] === 0xfd && magic.toString('latin1', 1, 6) === '7zXZ\u0000') {
        throw new StrataError('unsupported', `${file} is xz-compressed; decompress it first (xz -d)`, where);
      } else if (magic.toString('latin1', 0, 3) === 'BZh') {
        throw new StrataError('unsupported', `${file} is bzip2-compressed; decompress it first (bunzip2)`, where);
      }
      const index = await indexTar(tarFile, where);
      return new TarStore(file, index, cleanup);
    } catch (e) {
      await cleanup();
      throw e;
    }
  }

  has(name: string): Promise<boolean> {
    return Promise.resolve(this.resolvable(name));
  }

  private resolvable(name: string): boolean {
    try {
      resolveEntry(this.index, name);
      return true;
    } catch {
      return false;
    }
  }

  size(name: string, where: ErrorWhere): Promise<number> {
    // The executor's throw becomes the rejection.
    return new Promise((resolve) => resolve(this.member(name, where).size));
  }

  private member(name: string, where: ErrorWhere) {
    try {
      return resolveEntry(this.index, name, where);
    } catch (e) {
      if (e instanceof StrataError && e.code === 'corrupt' && !this.index.entries.has(name)) {
        throw new StrataError('not-found', `${name} is missing from archive ${this.location}`, where);
      }
      throw e;
    }
  }

  /** Fails when the archive changed since it was indexed: offsets would point at the wrong bytes. */
  private async checkUnchanged(where: ErrorWhere): Promise<void> {
    try {
      const s = await stat(this.index.file);
      if (s.size !== this.index.fileSize || s.mtimeMs !== this.index.mtimeMs) {
        throw new StrataError('io', `archive ${this.location} changed while it was being read`, where);
      }
    } catch (e) {
      throw toStrataError(e, where, 'io');
    }
  }

  async read(name: string, limit: number, what: string, where: ErrorWhere): Promise<Buffer> {
    const entry = this.member(name, where);
    if (entry.size > limit) throw tooBig(what, entry.size, limit, where);
    await this.checkUnchanged(where);
    const fh = await open(this.index.file, 'r');
    try {
      const buf = Buffer.alloc(entry.size);
      let got = 0;
      while (got < entry.size) {
        const { bytesRead } = await fh.read(buf, got, entry.size - got, entry.offset + got);
        if (bytesRead === 0) throw new StrataError('corrupt', `archive ${this.location} ends inside ${name}`, where);
        got += bytesRead;
      }
      return buf;
    } finally {
      await fh.close();
    }
  }

  async head(name: string, length: number, where: ErrorWhere): Promise<Buffer> {
    const entry = this.member(name, where);
    const fh = await open(this.index.file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(length, entry.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, entry.offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async open(name: string, where: ErrorWhere, signal?: AbortSignal): Promise<Readable> {
    const entry = this.member(name, where);
    await this.checkUnchanged(where);
    if (entry.size === 0) return Readable.from([]);
    return withSignal(createReadStream(this.index.file, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: READ_CHUNK }), signal);
  }

  async hash(name: string, algorithm: string, where: ErrorWhere, signal?: AbortSignal): Promise<BlobHash> {
    const entry = this.member(name, where);
    await this.checkUnchanged(where);
    return hashRange(this.index.file, entry.offset, entry.size, algorithm, where, signal);
  }

  close(): Promise<void> {
    return this.cleanup();
  }
}

/**
 * Hashes `length` bytes of `file` from `start` (or to its end), with
 * positioned reads into two buffers used in turn: the next read runs on the
 * thread pool while this thread hashes the last one, and no chunk is
 * allocated per read (a 1 MiB-chunk stream cost as much in garbage
 * collection as in hashing, on the 100 MB test image).
 */
async function hashRange(file: string, start: number, length: number, algorithm: string, where: ErrorWhere, signal?: AbortSignal): Promise<BlobHash> {
  const fh = await openFile(file, where);
  try {
    const hash = createHash(algorithm);
    const buffers = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)] as const;
    const readInto = (i: 0 | 1, done: number) => fh.read(buffers[i], 0, Math.min(READ_CHUNK, length - done), start + done);
    let bytes = 0;
    let turn: 0 | 1 = 0;
    let pending = length > 0 ? readInto(turn, 0) : undefined;
    while (pending) {
      const { bytesRead } = await pending;
      signal?.throwIfAborted();
      if (bytesRead === 0) break;
      const filled = buffers[turn];
      bytes += bytesRead;
      turn = turn === 0 ? 1 : 0;
      pending = bytes < length ? readInto(turn, bytes) : undefined;
      hash.update(filled.subarray(0, bytesRead));
    }
    return { digest: `${algorithm}:${hash.digest('hex')}`, bytes };
  } catch (e) {
    if (signal?.aborted) throw e;
    throw toStrataError(e, where, 'io');
  } finally {
    await fh.close();
  }
}

function withSignal(stream: Readable, signal: AbortSignal | undefined): Readable {
  return signal ? addAbortSignal(signal, stream) : stream;
}

async function openFile(file: string, where: ErrorWhere): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    throw toStrataError(e, where, 'io');
  }
}

async function fileHead(file: string, length: number, where: ErrorWhere): Promise<Buffer> {
  const fh = await openFile(file, where);
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Whether `p` is a directory (following symlinks), a regular file, or neither. */
export async function pathKind(p: string): Promise<'dir' | 'file' | 'other' | undefined> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch {
    try {
      await lstat(p);
      return 'other'; // a dangling symlink
    } catch {
      return undefined;
    }
  }
}
