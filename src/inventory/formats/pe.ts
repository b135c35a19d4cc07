/** PE (Windows): the COFF header, the optional header and the section table. */

import { BaseExecutable, type Executable, ExecutableFormatError, Reader, type Section, type Segment } from './reader.js';

const IMAGE_SCN_CNT_CODE = 0x20;
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const IMAGE_SCN_MEM_WRITE = 0x80000000;

/** PE images map sections at image base + RVA; segments here carry absolute addresses, as Go's pointers do. */
export function openPe(buf: Buffer): Executable {
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
