/** Mach-O (macOS): thin files, and fat (universal) files as one executable per architecture slice. */

import { BaseExecutable, type Executable, ExecutableFormatError, executableFormat, MAX_TABLE_ENTRIES, Reader, type Section, type Segment } from './reader.js';

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const VM_PROT_WRITE = 2;
const VM_PROT_EXECUTE = 4;
const VM_PROT_RW = 3;

export function openMachO(buf: Buffer): Executable {
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
export function openFatMachO(buf: Buffer): Executable[] {
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
