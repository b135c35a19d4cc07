/**
 * What the executable readers share: the types they return, the error for
 * broken headers, the magic-number check, a bounds-checked reader of header
 * fields, and the executable built from a section and segment table. Every
 * offset and size is checked against the buffer, and nothing is copied
 * (views via subarray).
 */

export type ExecutableFormat = 'elf' | 'macho' | 'pe';

export interface Section {
  name: string;
  /** Mach-O only: the segment the section belongs to (`__DATA`). */
  segment?: string;
  /** Virtual address (0 for sections that are not loaded). */
  addr: number;
  /** Byte range in the file; `size` is 0 when the section has no file data (ELF NOBITS). */
  offset: number;
  size: number;
  /** PE section characteristics, ELF section flags, Mach-O section flags. */
  flags: number;
}

/** A loaded range of the file: virtual address → file offset. */
export interface Segment {
  addr: number;
  offset: number;
  fileSize: number;
  writable: boolean;
  executable: boolean;
  /** Mach-O segment name (`__DATA`); PE section name. */
  name?: string;
  /** Mach-O only: the segment's maximum protection equals its initial one (read+write). */
  rwOnly?: boolean;
}

export interface Executable {
  readonly format: ExecutableFormat;
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  /** Machine as the format names it: ELF e_machine, Mach-O cputype, PE Machine. */
  readonly machine: number;
  readonly sections: readonly Section[];
  readonly segments: readonly Segment[];
  /** The file bytes this executable occupies (a fat Mach-O slice is a view of the whole file). */
  readonly data: Buffer;
  /** Up to `size` bytes at virtual address `addr`, within one segment; undefined when unmapped. */
  readAt(addr: number, size: number): Buffer | undefined;
  /** A section's file bytes (empty when it has none). */
  sectionData(section: Section): Buffer;
  findSection(name: string, segment?: string): Section | undefined;
}

/** Raised when a file has an executable's magic but headers that do not hold together. */
export class ExecutableFormatError extends Error {
  override readonly name = 'ExecutableFormatError';
}

/** Cheap check of the first bytes: which executable format the file claims to be. */
export function executableFormat(buf: Buffer): ExecutableFormat | 'macho-fat' | undefined {
  if (buf.length < 64) return undefined;
  const m = buf.readUInt32BE(0);
  if (m === 0x7f454c46) return 'elf';
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return 'macho';
  if (m === 0xcafebabe || m === 0xcafebabf) return 'macho-fat';
  if (buf[0] === 0x4d && buf[1] === 0x5a) return 'pe';
  return undefined;
}

/** Most sections/segments/load commands accepted: far above real files, low enough to bound work on garbage. */
export const MAX_TABLE_ENTRIES = 65_536;

export class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
    readonly what: string,
  ) {}

  check(offset: number, length: number, field: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.buf.length) {
      throw new ExecutableFormatError(`${this.what}: ${field} at ${offset} (+${length}) lies outside the file (${this.buf.length} bytes)`);
    }
  }
  u8(o: number): number {
    this.check(o, 1, 'byte');
    return this.buf[o] as number;
  }
  u16(o: number): number {
    this.check(o, 2, 'u16');
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    this.check(o, 4, 'u32');
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  /** 64-bit value as a number; values past 2^53 (never real offsets or addresses here) become Infinity so bounds checks fail. */
  u64(o: number): number {
    this.check(o, 8, 'u64');
    const v = this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
  }
  word(o: number, bits: 32 | 64): number {
    return bits === 64 ? this.u64(o) : this.u32(o);
  }
  /** NUL-terminated string of at most `max` bytes. */
  cstr(o: number, max: number): string {
    const end = Math.min(this.buf.length, o + max);
    if (o < 0 || o >= end) return '';
    let i = o;
    while (i < end && this.buf[i] !== 0) i++;
    return this.buf.toString('latin1', o, i);
  }
}

export class BaseExecutable implements Executable {
  constructor(
    readonly format: ExecutableFormat,
    readonly bits: 32 | 64,
    readonly littleEndian: boolean,
    readonly machine: number,
    readonly sections: readonly Section[],
    readonly segments: readonly Segment[],
    readonly data: Buffer,
  ) {}

  readAt(addr: number, size: number): Buffer | undefined {
    if (!Number.isFinite(addr) || !Number.isFinite(size) || size < 0) return undefined;
    for (const seg of this.segments) {
      if (seg.fileSize <= 0 || addr < seg.addr || addr > seg.addr + seg.fileSize - 1) continue;
      const start = seg.offset + (addr - seg.addr);
      const n = Math.min(size, seg.addr + seg.fileSize - addr, this.data.length - start);
      if (start < 0 || n <= 0) return undefined;
      return this.data.subarray(start, start + n);
    }
    return undefined;
  }

  sectionData(section: Section): Buffer {
    const end = section.offset + section.size;
    if (section.size <= 0 || section.offset < 0 || end > this.data.length) return this.data.subarray(0, 0);
    return this.data.subarray(section.offset, end);
  }

  findSection(name: string, segment?: string): Section | undefined {
    return this.sections.find((s) => s.name === name && (segment === undefined || s.segment === segment));
  }
}
