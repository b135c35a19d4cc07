/**
 * Every path Strata opens for reading is checked to be a regular file first:
 * a FIFO blocks whoever opens it until a writer comes, a device such as
 * /dev/zero never ends, and a directory gives EISDIR deep inside a library.
 * The file is opened with O_NONBLOCK (opening a FIFO then returns at once)
 * and checked with fstat on that descriptor, so a file swapped for a FIFO
 * after a stat cannot hang the read either.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { StrataError, type ErrorWhere } from '../core/errors.js';

const READ_NONBLOCK = constants.O_RDONLY | constants.O_NONBLOCK;

/** "a FIFO", "a directory", "a character device" … for a file that is not a regular one. */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

export interface RegularFileOptions {
  /** What the file is, for messages: "vulnerability database", "ignore file" … */
  what: string;
  /** What the user can do about it, appended to the message. */
  hint?: string;
  where?: ErrorWhere;
}

function notRegular(file: string, st: Stats, o: RegularFileOptions): StrataError {
  const type = describeFileType(st);
  const detail = `${o.what} ${file} is ${type === 'not a regular file' ? '' : `${type}, `}not a regular file${o.hint ? `: ${o.hint}` : ''}`;
  return new StrataError('io', detail, o.where ?? { path: file });
}

function openFailed(file: string, e: unknown, o: RegularFileOptions): StrataError {
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === 'ENOENT'
      ? 'does not exist'
      : err.code === 'EACCES' || err.code === 'EPERM'
        ? 'cannot be read (permission denied)'
        : err.code === 'ELOOP'
          ? 'is a symlink loop'
          : `cannot be opened (${err.code ?? err.message})`;
  return new StrataError(err.code === 'ENOENT' ? 'not-found' : 'io', `${o.what} ${file} ${reason}${o.hint ? `: ${o.hint}` : ''}`, o.where ?? { path: file }, { cause: e });
}

/** Throws a StrataError naming `file` unless it is a regular file that can be opened for reading. */
export function checkRegularFileSync(file: string, o: RegularFileOptions): void {
  let fd: number;
  try {
    fd = openSync(file, READ_NONBLOCK);
  } catch (e) {
    throw openFailed(file, e, o);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(file, st, o);
  } finally {
    closeSync(fd);
  }
}

/** Opens `file` for reading after checking, on the open descriptor, that it is a regular file. */
export async function openRegularFile(file: string, o: RegularFileOptions): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(file, READ_NONBLOCK);
  } catch (e) {
    throw openFailed(file, e, o);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw notRegular(file, st, o);
    return fh;
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads a regular file whole as UTF-8 (refusing one over `limit` bytes when given). */
export async function readRegularFile(file: string, o: RegularFileOptions & { limit?: number }): Promise<string> {
  const fh = await openRegularFile(file, o);
  try {
    if (o.limit !== undefined) {
      const { size } = await fh.stat();
      if (size > o.limit) throw new StrataError('limit', `${o.what} ${file} is ${size} bytes, more than the ${o.limit}-byte limit`, o.where ?? { path: file });
    }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
