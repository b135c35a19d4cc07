/**
 * Reads the section and segment tables of ELF, Mach-O (thin and fat) and PE
 * executables held in memory, so binary scanners can find a named section
 * (`.go.buildinfo`, `.dep-v0`) and map virtual addresses to file bytes.
 *
 * Written here rather than taken from npm: the packages that exist parse
 * whole files into object trees (slow on hundreds of executables per image)
 * or cover one format only. Only the headers are read; every offset and size
 * is checked against the buffer, and nothing is copied (views via subarray).
 */

import type { FileEntry } from '../../core/file.js';

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

/**
 * Files a binary scanner should open: an exec bit, or a Windows `.exe`.
 * Anything shorter than an ELF header cannot qualify.
 */
export function wantsExecutable(path: string, entry: FileEntry): boolean {
  if (entry.size < 64) return false;
  return (entry.mode & 0o111) !== 0 || /\.exe$/i.test(path);
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

/**
 * Parses the headers of every executable in `buf`: one for ELF, PE and thin
 * Mach-O, one per architecture slice for a fat Mach-O. Returns [] when the
 * file is not an executable; throws ExecutableFormatError on broken headers.
 */
export function openExecutables(buf: Buffer): Executable[] {
  switch (executableFormat(buf)) {
    case 'elf':
      return [openElf(buf)];
    case 'macho':
      return [openMachO(buf)];
    case 'macho-fat':
      return openFatMachO(buf);
    case 'pe':
      return [openPe(buf)];
    default:
      return [];
  }
}

/** Most sections/segments/load commands accepted: far above real files, low enough to bound work on garbage. */
const MAX_TABLE_ENTRIES = 65_536;

class Reader {
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

class BaseExecutable implements Executable {
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

// ---------------------------------------------------------------- ELF

const SHT_NOBITS = 8;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;

function openElf(buf: Buffer): Executable {
  const cls = buf[4];
  const enc = buf[5];
  if ((cls !== 1 && cls !== 2) || (enc !== 1 && enc !== 2)) {
    throw new ExecutableFormatError(`ELF: unknown class ${cls ?? '?'} or data encoding ${enc ?? '?'}`);
  }
  const bits: 32 | 64 = cls === 2 ? 64 : 32;
  const r = new Reader(buf, enc === 1, 'ELF');
  const is64 = bits === 64;
  const machine = r.u16(18);
  const phoff = r.word(is64 ? 0x20 : 0x1c, bits);
  const shoff = r.word(is64 ? 0x28 : 0x20, bits);
  const phentsize = r.u16(is64 ? 0x36 : 0x2a);
  let phnum = r.u16(is64 ? 0x38 : 0x2c);
  const shentsize = r.u16(is64 ? 0x3a : 0x2e);
  let shnum = r.u16(is64 ? 0x3c : 0x30);
  let shstrndx = r.u16(is64 ? 0x3e : 0x32);
  const minSh = is64 ? 64 : 40;
  const minPh = is64 ? 56 : 32;

  // Extended numbering (ELF gABI): the real counts live in section header 0.
  const sectionTable = shoff > 0 && shentsize >= minSh;
  if (sectionTable && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
    const size0 = r.word(shoff + (is64 ? 32 : 20), bits);
    const link0 = r.u32(shoff + (is64 ? 40 : 24));
    const info0 = r.u32(shoff + (is64 ? 44 : 28));
    if (shnum === 0) shnum = Math.min(size0, MAX_TABLE_ENTRIES);
    if (shstrndx === 0xffff) shstrndx = link0;
    if (phnum === 0xffff) phnum = Math.min(info0, MAX_TABLE_ENTRIES);
  }

  const segments: Segment[] = [];
  if (phoff > 0 && phentsize >= minPh) {
    r.check(phoff, phnum * phentsize, 'program header table');
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      if (r.u32(o) !== PT_LOAD) continue;
      const flags = is64 ? r.u32(o + 4) : r.u32(o + 24);
      segments.push({
        offset: r.word(o + (is64 ? 8 : 4), bits),
        addr: r.word(o + (is64 ? 16 : 8), bits),
        fileSize: r.word(o + (is64 ? 32 : 16), bits),
        writable: (flags & PF_W) !== 0,
        executable: (flags & PF_X) !== 0,
      });
    }
  }

  const sections: Section[] = [];
  if (sectionTable && shnum > 0) {
    r.check(shoff, shnum * shentsize, 'section header table');
    const strOff = shstrndx < shnum ? r.word(shoff + shstrndx * shentsize + (is64 ? 24 : 16), bits) : -1;
    const strSize = shstrndx < shnum ? r.word(shoff + shstrndx * shentsize + (is64 ? 32 : 20), bits) : 0;
    if (strOff + strSize > buf.length) throw new ExecutableFormatError(`ELF: section name table at ${strOff} (+${strSize}) lies outside the file (${buf.length} bytes)`);
    const names = strOff >= 0;
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      const nameOff = r.u32(o);
      const type = r.u32(o + 4);
      const size = r.word(o + (is64 ? 32 : 20), bits);
      sections.push({
        name: names && nameOff < strSize ? r.cstr(strOff + nameOff, strSize - nameOff) : '',
        flags: is64 ? r.u64(o + 8) : r.u32(o + 8),
        addr: r.word(o + (is64 ? 16 : 12), bits),
        offset: r.word(o + (is64 ? 24 : 16), bits),
        size: type === SHT_NOBITS ? 0 : size,
      });
    }
  }
  return new BaseExecutable('elf', bits, enc === 1, machine, sections, segments, buf);
}

// ---------------------------------------------------------------- Mach-O

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const VM_PROT_WRITE = 2;
const VM_PROT_EXECUTE = 4;
const VM_PROT_RW = 3;

function openMachO(buf: Buffer): Executable {
  const magicLE = buf.readUInt32LE(0);
  const le = magicLE === 0xfeedface || magicLE === 0xfeedfacf;
  const r = new Reader(buf, le, 'Mach-O');
  const magic = r.u32(0);
  const bits: 32 | 64 = magic === 0xfeedfacf ? 64 : 32;
  const machine = r.u32(4);
  const ncmds = r.u32(16);
  const sizeofcmds = r.u32(20);
  const headerSize = bits === 64 ? 32 : 28;
  r.check(headerSize, sizeofcmds, 'load commands');
  if (ncmds > MAX_TABLE_ENTRIES) throw new ExecutableFormatError(`Mach-O: ${ncmds} load commands`);

  const sections: Section[] = [];
  const segments: Segment[] = [];
  let o = headerSize;
  const end = headerSize + sizeofcmds;
  for (let i = 0; i < ncmds; i++) {
    if (o + 8 > end) throw new ExecutableFormatError(`Mach-O: load command ${i} runs past the command area`);
    const cmd = r.u32(o);
    const cmdsize = r.u32(o + 4);
    if (cmdsize < 8 || o + cmdsize > end) throw new ExecutableFormatError(`Mach-O: load command ${i} has size ${cmdsize}`);
    if (cmd === LC_SEGMENT || cmd === LC_SEGMENT_64) {
      const is64 = cmd === LC_SEGMENT_64;
      const w: 32 | 64 = is64 ? 64 : 32;
      const segname = r.cstr(o + 8, 16);
      const vmaddr = r.word(o + 24, w);
      const fileoff = r.word(is64 ? o + 40 : o + 32, w);
      const filesize = r.word(is64 ? o + 48 : o + 36, w);
      const maxprot = r.u32(is64 ? o + 56 : o + 40);
      const initprot = r.u32(is64 ? o + 60 : o + 44);
      const nsects = r.u32(is64 ? o + 64 : o + 48);
      segments.push({
        name: segname,
        addr: vmaddr,
        offset: fileoff,
        fileSize: filesize,
        writable: (initprot & VM_PROT_WRITE) !== 0,
        executable: (initprot & VM_PROT_EXECUTE) !== 0,
        rwOnly: initprot === VM_PROT_RW && maxprot === VM_PROT_RW,
      });
      const sectSize = is64 ? 80 : 68;
      const first = o + (is64 ? 72 : 56);
      if (first + nsects * sectSize > o + cmdsize) throw new ExecutableFormatError(`Mach-O: segment ${segname} claims ${nsects} sections`);
      for (let s = 0; s < nsects; s++) {
        const so = first + s * sectSize;
        sections.push({
          name: r.cstr(so, 16),
          segment: r.cstr(so + 16, 16),
          addr: r.word(so + 32, w),
          size: r.word(is64 ? so + 40 : so + 36, w),
          offset: r.u32(is64 ? so + 48 : so + 40),
          flags: r.u32(is64 ? so + 64 : so + 56),
        });
      }
    }
    o += cmdsize;
  }
  return new BaseExecutable('macho', bits, le, machine, sections, segments, buf);
}

/** Universal binaries: one Mach-O per architecture. Java class files share the magic; their "count" is the class version (≥ 45). */
function openFatMachO(buf: Buffer): Executable[] {
  const is64 = buf.readUInt32BE(0) === 0xcafebabf;
  const nfat = buf.readUInt32BE(4);
  if (nfat === 0 || nfat > 30) return [];
  const entry = is64 ? 32 : 20;
  const out: Executable[] = [];
  const r = new Reader(buf, false, 'Mach-O universal');
  r.check(8, nfat * entry, 'architecture table');
  for (let i = 0; i < nfat; i++) {
    const o = 8 + i * entry;
    const offset = is64 ? r.u64(o + 8) : r.u32(o + 8);
    const size = is64 ? r.u64(o + 16) : r.u32(o + 12);
    r.check(offset, size, `architecture ${i}`);
    const slice = buf.subarray(offset, offset + size);
    if (executableFormat(slice) !== 'macho') throw new ExecutableFormatError(`Mach-O universal: architecture ${i} is not a Mach-O file`);
    out.push(openMachO(slice));
  }
  return out;
}

// ---------------------------------------------------------------- PE

const IMAGE_SCN_CNT_CODE = 0x20;
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const IMAGE_SCN_MEM_WRITE = 0x80000000;

/** PE images map sections at image base + RVA; segments here carry absolute addresses, as Go's pointers do. */
function openPe(buf: Buffer): Executable {
  const r = new Reader(buf, true, 'PE');
  const peOff = r.u32(0x3c);
  if (r.u32(peOff) !== 0x00004550) throw new ExecutableFormatError('PE: no "PE\\0\\0" signature at e_lfanew');
  const coff = peOff + 4;
  const machine = r.u16(coff);
  const nsect = r.u16(coff + 2);
  const symtab = r.u32(coff + 8);
  const nsyms = r.u32(coff + 12);
  const optSize = r.u16(coff + 16);
  const opt = coff + 20;
  let bits: 32 | 64 = 32;
  let imageBase = 0;
  if (optSize >= 2) {
    const magic = r.u16(opt);
    if (magic === 0x20b) {
      bits = 64;
      imageBase = r.u64(opt + 24);
    } else if (magic === 0x10b) {
      imageBase = r.u32(opt + 28);
    } else {
      throw new ExecutableFormatError(`PE: unknown optional header magic 0x${magic.toString(16)}`);
    }
  }
  const table = opt + optSize;
  r.check(table, nsect * 40, 'section table');
  const strtab = symtab > 0 ? symtab + nsyms * 18 : -1;
  const sections: Section[] = [];
  const segments: Segment[] = [];
  for (let i = 0; i < nsect; i++) {
    const o = table + i * 40;
    let name = r.cstr(o, 8);
    // Long names are "/<decimal offset>" into the COFF string table.
    if (name.startsWith('/') && strtab >= 0) {
      const off = Number.parseInt(name.slice(1), 10);
      if (Number.isSafeInteger(off)) name = r.cstr(strtab + off, 256);
    }
    const virtualAddress = r.u32(o + 12);
    const rawSize = r.u32(o + 16);
    const rawPtr = r.u32(o + 20);
    const characteristics = r.u32(o + 36);
    sections.push({ name, addr: imageBase + virtualAddress, offset: rawPtr, size: rawSize, flags: characteristics });
    segments.push({
      name,
      addr: imageBase + virtualAddress,
      offset: rawPtr,
      fileSize: rawSize,
      writable: (characteristics & IMAGE_SCN_MEM_WRITE) !== 0,
      executable: (characteristics & (IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_CNT_CODE)) !== 0,
    });
  }
  return new BaseExecutable('pe', bits, true, machine, sections, segments, buf);
}
