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
import { openElf } from './elf.js';
import { openFatMachO, openMachO } from './macho.js';
import { openPe } from './pe.js';
import { type Executable, executableFormat } from './reader.js';

export { type Executable, type ExecutableFormat, ExecutableFormatError, executableFormat, type Section, type Segment } from './reader.js';

/**
 * Files a binary scanner should open: an exec bit, or a Windows `.exe`.
 * Anything shorter than an ELF header cannot qualify.
 */
export function wantsExecutable(path: string, entry: FileEntry): boolean {
  if (entry.size < 64) return false;
  return (entry.mode & 0o111) !== 0 || /\.exe$/i.test(path);
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
