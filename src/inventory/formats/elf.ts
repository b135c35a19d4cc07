/** ELF (Linux and most Unixes): section headers and PT_LOAD program headers, 32 and 64 bits, either byte order. */

import { BaseExecutable, type Executable, ExecutableFormatError, MAX_TABLE_ENTRIES, Reader, type Section, type Segment } from './reader.js';

const SHT_NOBITS = 8;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;

export function openElf(buf: Buffer): Executable {
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
