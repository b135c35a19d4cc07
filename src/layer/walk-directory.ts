/**
 * walkDirectory: the LayerVisitor contract over a real directory tree
 * (`strata rootfs DIR`, including `/` of a running machine). Read-only and
 * careful: symlinks are reported, never followed; only regular files are
 * opened (O_NOFOLLOW | O_NONBLOCK, then fstat to confirm), so a FIFO, a
 * device or a file swapped for one in a race never blocks the walk;
 * kernel file systems (proc, sysfs, devtmpfs, cgroup, …) mounted below the
 * root are not entered; files that vanish or deny access mid-walk are
 * skipped with a debug line.
 *
 * Directories are listed and stat'ed concurrently (the libuv pool does the
 * system calls); the visitor is still called one entry at a time, and content
 * arrives before the next entry.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { StrataError, toStrataError } from '../core/errors.js';
import type { EntryType, FileEntry, LayerStats, LayerVisitor } from '../core/file.js';
import { silentLogger, type Logger } from '../core/log.js';
import { DEFAULT_MAX_CONTENT_BYTES } from './limits.js';
import { printable } from './paths.js';

export interface WalkDirectoryOptions {
  signal?: AbortSignal;
  logger?: Logger;
  /** File system operations in flight at once (default 32). */
  concurrency?: number;
  /** Most bytes of one file handed to the visitor, whatever it asked for. */
  maxContentBytes?: number;
  /** Stop with a `limit` error past this many entries (default: no limit). */
  maxEntries?: number;
}

/**
 * statfs(2) magic numbers of kernel-made file systems: their files describe
 * the running machine, not what is installed on it, and some (proc, sysfs)
 * hold files that block or never end when read.
 */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x01021994, 'tmpfs/devtmpfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x73636673, 'securityfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x958458f6, 'hugetlbfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x0187, 'autofs'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x6e736673, 'nsfs'],
  [0x67596969, 'rpc_pipefs'],
]);

/** Top-level directories of a running system that hold no installed files. */
const SYSTEM_ROOT_SKIP = new Set(['proc', 'sys', 'dev', 'run']);

/** Errors that mean "this path changed or is not ours to read": skip it. */
const SKIPPABLE = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'ENXIO', 'ESTALE', 'EINVAL']);

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Entries stat'ed but not yet visited before listing pauses (bounds memory when the visitor is slow). */
const MAX_BACKLOG = 20_000;

interface Item {
  rel: string;
  abs: string;
  st: Stats;
  type: EntryType;
  linkTarget?: string;
}

export async function walkDirectory(root: string, visitor: LayerVisitor, options: WalkDirectoryOptions = {}): Promise<LayerStats> {
  const logger = options.logger ?? silentLogger;
  const where = { image: root };
  let realRoot: string;
  let rootStat: Stats;
  try {
    realRoot = await realpath(path.resolve(root));
    rootStat = await stat(realRoot);
  } catch (e) {
    throw toStrataError(e, where, 'io');
  }
  if (!rootStat.isDirectory()) throw new StrataError('usage', `${root} is not a directory`, where);

  const walker = new DirectoryWalker(realRoot, visitor, {
    logger,
    concurrency: Math.max(1, options.concurrency ?? 32),
    maxContentBytes: options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES,
    maxEntries: options.maxEntries ?? Number.POSITIVE_INFINITY,
    signal: options.signal,
    where,
  });
  await walker.run(rootStat);
  return { compressedBytes: 0, uncompressedBytes: walker.bytes, entries: walker.entries, compression: 'directory' };
}

interface WalkerOptions {
  logger: Logger;
  concurrency: number;
  maxContentBytes: number;
  maxEntries: number;
  signal: AbortSignal | undefined;
  where: { image: string };
}

class DirectoryWalker {
  entries = 0;
  bytes = 0;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private visitChain: Promise<void> = Promise.resolve();
  private backlog = 0;
  private readonly backlogWaiters: Array<() => void> = [];
  private failure: unknown;

  constructor(
    private readonly root: string,
    private readonly visitor: LayerVisitor,
    private readonly options: WalkerOptions,
  ) {}

  async run(rootStat: Stats): Promise<void> {
    await this.directory(this.root, '', rootStat.dev);
    await this.visitChain;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Lists one directory, stats its children, queues them for the visitor, then descends. */
  private async directory(abs: string, rel: string, dev: number): Promise<void> {
    if (this.failure !== undefined) return;
    this.options.signal?.throwIfAborted();
    while (this.backlog > MAX_BACKLOG) await new Promise<void>((resolve) => this.backlogWaiters.push(resolve));

    const dirents = await this.fsOp(() => readdir(abs, { withFileTypes: true }), abs);
    if (!dirents) return;
    const items = (await Promise.all(dirents.map((d) => this.item(abs, rel, d)))).filter((i): i is Item => i !== undefined);
    items.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));

    this.backlog += items.length;
    const visited = this.enqueueVisit(items);
    const subdirs: Array<Promise<void>> = [];
    for (const item of items) {
      if (item.type !== 'dir' || !(await this.shouldDescend(item, rel, dev))) continue;
      subdirs.push(this.directory(item.abs, item.rel, item.st.dev));
    }
    await Promise.all([visited, ...subdirs]);
  }

  private async item(dirAbs: string, dirRel: string, d: Dirent): Promise<Item | undefined> {
    const abs = path.join(dirAbs, d.name);
    const rel = dirRel === '' ? d.name : `${dirRel}/${d.name}`;
    const st = await this.fsOp(() => lstat(abs), abs);
    if (!st) return undefined;
    const type = typeOf(st);
    if (type !== 'symlink') return { rel, abs, st, type };
    const linkTarget = await this.fsOp(() => readlink(abs), abs);
    if (linkTarget === undefined) return undefined;
    return { rel, abs, st, type, linkTarget };
  }

  private async shouldDescend(item: Item, parentRel: string, parentDev: number): Promise<boolean> {
    if (this.root === '/' && parentRel === '' && SYSTEM_ROOT_SKIP.has(item.rel)) {
      this.options.logger.debug(`/${item.rel}: not entered (runtime file system of the running machine)`);
      return false;
    }
    if (item.st.dev === parentDev) return true;
    // A mount point: enter it unless a kernel file system is mounted there.
    const fs = await this.fsOp(() => statfs(item.abs), item.abs);
    const kind = fs ? PSEUDO_FS.get(fs.type) : undefined;
    if (!fs || kind) {
      this.options.logger.debug(`${printable(item.abs)}: not entered (${kind ?? 'unreadable'} mount)`);
      return false;
    }
    return true;
  }

  private enqueueVisit(items: Item[]): Promise<void> {
    const run = async (): Promise<void> => {
      try {
        for (const item of items) {
          if (this.failure !== undefined) return;
          await this.visit(item);
        }
      } catch (e) {
        this.failure ??= e;
      } finally {
        this.backlog -= items.length;
        if (this.backlog <= MAX_BACKLOG) for (const w of this.backlogWaiters.splice(0)) w();
      }
    };
    this.visitChain = this.visitChain.then(run);
    return this.visitChain;
  }

  private async visit(item: Item): Promise<void> {
    if (++this.entries > this.options.maxEntries) {
      throw new StrataError('limit', `directory has more than ${this.options.maxEntries} entries`, this.options.where);
    }
    const { st } = item;
    const entry: FileEntry = {
      path: item.rel,
      type: item.type,
      mode: st.mode & 0o7777,
      size: item.type === 'file' ? st.size : 0,
      ...(item.linkTarget !== undefined ? { linkTarget: item.linkTarget } : {}),
      uid: st.uid,
      gid: st.gid,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    if (item.type === 'file') this.bytes += st.size;
    this.visitor.entry(entry);
    if (item.type !== 'file') return;
    const asked = this.visitor.wants(entry);
    if (!(asked > 0)) return;
    const limit = Math.min(asked, this.options.maxContentBytes);
    if (entry.size > limit) {
      this.visitor.oversize?.(entry, limit);
      return;
    }
    const data = await this.readRegular(item, limit);
    if (data === 'oversize') this.visitor.oversize?.(entry, limit);
    else if (data) await this.visitor.content(entry, data);
  }

  /** Reads a regular file whole, unless it stopped being the file lstat saw. */
  private async readRegular(item: Item, limit: number): Promise<Buffer | 'oversize' | undefined> {
    return this.fsOp(async () => {
      const fh = await open(item.abs, OPEN_FLAGS);
      try {
        const st = await fh.stat();
        if (!st.isFile() || st.ino !== item.st.ino || st.dev !== item.st.dev) {
          this.options.logger.debug(`${printable(item.abs)}: changed while reading, skipped`);
          return undefined;
        }
        if (st.size > limit) return 'oversize';
        // One byte of slack tells a file that grew past the limit from one that did not.
        const buf = Buffer.allocUnsafe(Math.min(st.size, limit) + 1);
        let filled = 0;
        while (filled < buf.length) {
          const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        if (filled > limit) return 'oversize';
        return buf.subarray(0, filled);
      } finally {
        await fh.close();
      }
    }, item.abs);
  }

  /** Runs a file system call under the concurrency bound; races and denials become undefined. */
  private async fsOp<T>(op: () => Promise<T>, abs: string): Promise<T | undefined> {
    if (this.active >= this.options.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await op();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code && SKIPPABLE.has(code)) {
        this.options.logger.debug(`${printable(abs)}: skipped (${code})`);
        return undefined;
      }
      if (code) {
        this.options.logger.warn(`${printable(abs)}: skipped (${(e as Error).message})`);
        return undefined;
      }
      throw e;
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function typeOf(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}
