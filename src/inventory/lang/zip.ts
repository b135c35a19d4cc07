/**
 * Reads zip archives (jars, wars, …) held in memory: the central directory,
 * then only the entries a caller asks for, stored entries as zero-copy views
 * and deflated ones through node:zlib with a hard output cap.
 *
 * Written here rather than with a library: fflate's unzip inflates past an
 * entry's declared size without limit (a zip bomb gets through) and yauzl is
 * callback-streaming and ~5× slower on archives with tens of thousands of
 * entries. Handles zip64, prepended data (self-executing jars) and names in
 * UTF-8 or the legacy code page; every offset is bounds-checked.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated; anything else is not read. */
  readonly method: number;
  readonly flags: number;
  readonly compressedSize: number;
  /** Declared uncompressed size (from the central directory). */
  readonly size: number;
  /** Offset of the local header, relative to the start of the archive data. */
  readonly localHeaderOffset: number;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  /** Bytes before the archive proper (a launcher script prepended to a jar); offsets are relative to it. */
  readonly baseOffset: number;
}

/** Why an archive or entry could not be read; `limit` when a size cap stopped it. */
export class ZipError extends Error {
  override readonly name = 'ZipError';
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'unsupported' | 'limit' = 'corrupt',
  ) {
    super(message);
  }
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const FLAG_ENCRYPTED = 0x1;
const FLAG_UTF8 = 0x800;
/** Far above real archives (the biggest jars have ~100k entries); bounds the work a crafted directory causes. */
const MAX_ENTRIES = 2_000_000;

/** Reads the central directory. Throws ZipError when `buf` is not a readable zip archive. */
export function readZipDirectory(buf: Buffer): ZipDirectory {
  const eocd = findEndOfCentralDirectory(buf);
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory record)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  let cdEnd = eocd;

  const locator = eocd - 20;
  if (locator >= 0 && buf.readUInt32LE(locator) === ZIP64_LOCATOR_SIG) {
    const rec = readU64(buf, locator + 8);
    // The recorded offset ignores prepended data; the record sits right before the locator.
    const at = rec + 56 <= buf.length && buf.readUInt32LE(rec) === ZIP64_EOCD_SIG ? rec : locator - 56;
    if (at < 0 || buf.readUInt32LE(at) !== ZIP64_EOCD_SIG) throw new ZipError('zip64 end of central directory record is missing');
    count = readU64(buf, at + 32);
    cdSize = readU64(buf, at + 40);
    cdOffset = readU64(buf, at + 48);
    cdEnd = at;
  }
  if (cdSize > cdEnd) throw new ZipError(`central directory size ${cdSize} exceeds the archive`);
  // Data prepended to the archive shifts everything; the directory still ends where the EOCD begins.
  const cdStart = cdEnd - cdSize;
  const baseOffset = cdStart - cdOffset;
  if (baseOffset < 0) throw new ZipError(`central directory offset ${cdOffset} lies past its end (${cdStart})`);
  if (count > MAX_ENTRIES) throw new ZipError(`${count} entries (limit ${MAX_ENTRIES})`, 'limit');

  const entries: ZipEntry[] = [];
  let p = cdStart;
  while (p + 46 <= cdEnd && buf.readUInt32LE(p) === CDH_SIG) {
    if (entries.length >= MAX_ENTRIES) throw new ZipError(`more than ${MAX_ENTRIES} entries`, 'limit');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const nameStart = p + 46;
    const next = nameStart + nameLen + extraLen + commentLen;
    if (next > cdEnd) throw new ZipError(`central directory entry ${entries.length} runs past the directory`);
    const name = buf.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1', nameStart, nameStart + nameLen);
    if (size === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // Zip64 extended information: only the fields that overflowed are present, in this order.
      const extra = findExtra(buf, nameStart + nameLen, extraLen, 0x0001);
      if (extra) {
        let q = extra.start;
        const take = () => {
          if (q + 8 > extra.end) throw new ZipError(`entry ${name}: truncated zip64 extra field`);
          const v = readU64(buf, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
    }
    entries.push({ name, method, flags, compressedSize, size, localHeaderOffset });
    p = next;
  }
  if (entries.length === 0 && count > 0) throw new ZipError('central directory not found where the end record says');
  return { entries, baseOffset };
}

/**
 * The uncompressed bytes of one entry, at most `maxBytes` (ZipError `limit`
 * beyond). Stored entries are views of `buf`, not copies.
 */
export function readZipEntry(buf: Buffer, dir: ZipDirectory, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.flags & FLAG_ENCRYPTED) throw new ZipError(`${entry.name}: encrypted`, 'unsupported');
  if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`${entry.name}: compression method ${entry.method} not supported`, 'unsupported');
  if (entry.size > maxBytes) throw new ZipError(`${entry.name}: ${entry.size} bytes uncompressed (limit ${maxBytes})`, 'limit');
  const lfh = dir.baseOffset + entry.localHeaderOffset;
  if (lfh < 0 || lfh + 30 > buf.length || buf.readUInt32LE(lfh) !== LFH_SIG) throw new ZipError(`${entry.name}: local header missing`);
  const start = lfh + 30 + buf.readUInt16LE(lfh + 26) + buf.readUInt16LE(lfh + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new ZipError(`${entry.name}: data runs past the end of the archive`);
  const raw = buf.subarray(start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new ZipError(`${entry.name}: stored entry with differing sizes`);
    return raw;
  }
  if (entry.size === 0) return Buffer.alloc(0);
  try {
    // The cap is the declared size: an entry that inflates further lies about itself.
    const out = inflateRawSync(raw, { maxOutputLength: entry.size });
    if (out.length !== entry.size) throw new ZipError(`${entry.name}: inflates to ${out.length} bytes, not the declared ${entry.size}`);
    return out;
  } catch (e) {
    if (e instanceof ZipError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ZipError(`${entry.name}: inflates past its declared ${entry.size} bytes`);
    throw new ZipError(`${entry.name}: invalid deflate data (${e instanceof Error ? e.message : String(e)})`);
  }
}

function findEndOfCentralDirectory(buf: Buffer): number {
  const stop = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_SIZE; i >= stop; i--) {
    if (buf[i] !== 0x50 || buf.readUInt32LE(i) !== EOCD_SIG) continue;
    // The comment length must fit the bytes that follow (trailing garbage tolerated).
    if (i + EOCD_SIZE + buf.readUInt16LE(i + 20) <= buf.length) return i;
  }
  return -1;
}

function findExtra(buf: Buffer, start: number, length: number, id: number): { start: number; end: number } | undefined {
  let q = start;
  const end = start + length;
  while (q + 4 <= end) {
    const tag = buf.readUInt16LE(q);
    const size = buf.readUInt16LE(q + 2);
    if (q + 4 + size > end) return undefined;
    if (tag === id) return { start: q + 4, end: q + 4 + size };
    q += 4 + size;
  }
  return undefined;
}

/** Little-endian u64; values past 2^53 cannot be real offsets and become Infinity so bounds checks fail. */
function readU64(buf: Buffer, at: number): number {
  if (at < 0 || at + 8 > buf.length) throw new ZipError(`truncated 64-bit field at ${at}`);
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}
