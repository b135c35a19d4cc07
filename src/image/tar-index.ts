/**
 * Indexes a tar file without reading its contents: walks the 512-byte
 * headers with positioned reads, skipping over each entry's data, and records
 * name → (offset, size, type, link target). A `docker save` tarball is a few
 * hundred MB with a dozen entries; node-tar or tar-stream would stream every
 * byte through to find those headers, this reads a few KB (measured on the
 * 271 MB test archive, page-cached: 3–7 ms here, 150–300 ms with tar-stream). Understands ustar
 * (prefix field), GNU long names/links (`L`/`K`), PAX headers (`x`: path,
 * linkpath, size) and base-256 sizes. Entries are served later as
 * `createReadStream(file, {start, end})` slices.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StrataError, type ErrorWhere } from '../core/errors.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Normalised name: no leading `./` or `/`, no trailing `/`. */
  name: string;
  type: TarEntryType;
  /** Offset of the entry's data in the file. */
  offset: number;
  size: number;
  linkTarget?: string;
}

export interface TarIndex {
  file: string;
  /** File size and mtime when indexed, to notice a file replaced underneath. */
  fileSize: number;
  mtimeMs: number;
  entries: Map<string, TarEntry>;
}

const BLOCK = 512;
/** More entries than any image archive has; a bigger tar is something else (a root filesystem). */
export const MAX_TAR_ENTRIES = 100_000;
/** Long-name and PAX records are small; refuse absurd ones instead of allocating them. */
const MAX_META_BYTES = 1024 * 1024;

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function parseNumber(buf: Buffer, start: number, length: number): number {
  const first = buf[start] as number;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement in the remaining bytes.
    let value = 0;
    for (let i = 1; i < length; i++) value = value * 256 + (buf[start + i] as number);
    if (!Number.isSafeInteger(value)) return NaN;
    return value;
  }
  const text = cString(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return NaN;
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumber(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (header[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** Normalises an archive member name; rejects names that climb out (`../`). */
export function normalizeEntryName(name: string): string {
  let n = name.replace(/\\/g, '/');
  n = path.posix.normalize(n);
  n = n.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) break;
    const len = Number(data.toString('utf8', i, space));
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > data.length) break;
    const record = data.toString('utf8', space + 1, i + len - 1); // drop the trailing newline
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/** Indexes `file`; `where` names the image input in errors. */
export async function indexTar(file: string, where: ErrorWhere = {}): Promise<TarIndex> {
  const fh = await open(file, 'r');
  try {
    const stat = await fh.stat();
    const entries = new Map<string, TarEntry>();
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax: Record<string, string> = {};
    let count = 0;
    for (;;) {
      if (pos + BLOCK > stat.size) {
        if (count === 0) throw new StrataError('corrupt', 'not a tar archive (too short)', where);
        break; // archives without the end-of-archive blocks still index fine
      }
      const header = await readExactly(fh, BLOCK, pos);
      if (header.every((b) => b === 0)) break; // end of archive
      if (!checksumOk(header)) {
        throw new StrataError('corrupt', count === 0 ? 'not a tar archive (bad header checksum)' : `corrupt tar header at byte ${pos}`, where);
      }
      if (++count > MAX_TAR_ENTRIES) {
        throw new StrataError('limit', `more than ${MAX_TAR_ENTRIES} entries: not an image archive`, where);
      }
      const typeflag = String.fromCharCode(header[156] as number);
      let size = parseNumber(header, 124, 12);
      if (pax.size !== undefined && /^\d+$/.test(pax.size)) size = Number(pax.size);
      if (!Number.isSafeInteger(size) || size < 0) throw new StrataError('corrupt', `bad size in tar header at byte ${pos}`, where);
      const dataOffset = pos + BLOCK;
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (dataOffset + size > stat.size) {
        throw new StrataError('corrupt', `tar entry at byte ${pos} claims ${size} bytes but the file ends first (truncated archive)`, where);
      }

      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x' || typeflag === 'g') {
        if (size > MAX_META_BYTES) throw new StrataError('corrupt', `oversized tar metadata record at byte ${pos}`, where);
        const data = await readExactly(fh, size, dataOffset);
        if (typeflag === 'L') longName = cString(data, 0, data.length);
        else if (typeflag === 'K') longLink = cString(data, 0, data.length);
        else if (typeflag === 'x') pax = { ...pax, ...parsePax(data) };
        // 'g' (global PAX) carries defaults this index does not need.
        pos = next;
        continue;
      }

      const magic = header.toString('latin1', 257, 263);
      const isUstar = magic === 'ustar\u0000';
      let name = cString(header, 0, 100);
      if (isUstar) {
        const prefix = cString(header, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      name = pax.path ?? longName ?? name;
      let linkTarget: string | undefined = pax.linkpath ?? longLink ?? cString(header, 157, 100);
      const type: TarEntryType =
        typeflag === '0' || typeflag === '\u0000' || typeflag === '7'
          ? 'file'
          : typeflag === '5'
            ? 'dir'
            : typeflag === '2'
              ? 'symlink'
              : typeflag === '1'
                ? 'hardlink'
                : 'other';
      if (type !== 'symlink' && type !== 'hardlink') linkTarget = undefined;
      const normalized = normalizeEntryName(name);
      if (normalized !== '' && !normalized.startsWith('../') && normalized !== '..') {
        const entry: TarEntry = { name: normalized, type, offset: dataOffset, size: type === 'file' ? size : 0 };
        if (linkTarget) entry.linkTarget = linkTarget;
        entries.set(normalized, entry); // a later entry with the same name replaces an earlier one, as tar does
      }
      longName = undefined;
      longLink = undefined;
      pax = {};
      pos = next;
    }
    return { file, fileSize: stat.size, mtimeMs: stat.mtimeMs, entries };
  } finally {
    await fh.close();
  }
}

/**
 * Follows symlinks and hard links to the regular file an archive member
 * names (skopeo's `<id>/layer.tar` → `../<diffid>.tar`). Links that leave the
 * archive, loop, or end nowhere are errors.
 */
export function resolveEntry(index: TarIndex, name: string, where: ErrorWhere = {}): TarEntry {
  let current = normalizeEntryName(name);
  for (let hops = 0; hops < 32; hops++) {
    const entry = index.entries.get(current);
    if (!entry) throw new StrataError('corrupt', `archive has no member "${current}"${current !== name ? ` (reached from "${name}")` : ''}`, where);
    if (entry.type === 'file') return entry;
    if (entry.type === 'symlink' && entry.linkTarget) {
      const target = entry.linkTarget.startsWith('/') ? entry.linkTarget : path.posix.join(path.posix.dirname(current), entry.linkTarget);
      const normalized = path.posix.normalize(target).replace(/^\/+/, '');
      if (normalized.startsWith('../') || normalized === '..') {
        throw new StrataError('unsafe', `archive member "${current}" links outside the archive (${entry.linkTarget})`, where);
      }
      current = normalizeEntryName(normalized);
      continue;
    }
    if (entry.type === 'hardlink' && entry.linkTarget) {
      current = normalizeEntryName(entry.linkTarget);
      continue;
    }
    throw new StrataError('corrupt', `archive member "${current}" is not a regular file`, where);
  }
  throw new StrataError('corrupt', `archive member "${name}" is a link loop`, where);
}
