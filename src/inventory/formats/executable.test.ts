import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { ExecutableFormatError, executableFormat, openExecutables, wantsExecutable } from './executable.js';

const GO_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'golang-binary', 'test.elf'));
const RUST_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'rust-binary', 'test.elf'));

describe('openExecutables (ELF)', () => {
  it('reads sections and load segments as readelf shows them', () => {
    const [exe] = openExecutables(GO_ELF);
    expect(exe).toMatchObject({ format: 'elf', bits: 64, littleEndian: true, machine: 62 });
    // readelf -S -W test.elf: [8] .go.buildinfo PROGBITS 59e000 19e000 000020
    expect(exe?.findSection('.go.buildinfo')).toMatchObject({ addr: 0x59e000, offset: 0x19e000, size: 0x20 });
    expect(exe?.findSection('.gopclntab')).toMatchObject({ addr: 0x523ce0, offset: 0x123ce0 });
    // readelf -l: three PT_LOAD segments, the last one RW.
    expect(exe?.segments.map((s) => [s.offset, s.addr, s.fileSize, s.writable, s.executable])).toEqual([
      [0, 0x400000, 0x0d0b90, false, true],
      [0x0d1000, 0x4d1000, 0x0cc94d, false, false],
      [0x19e000, 0x59e000, 0x017e80, true, false],
    ]);
    expect(exe?.readAt(0x59e000, 14)?.toString('latin1')).toBe('\xff Go buildinf:');
    expect(exe?.readAt(0x59e000 + 0x017e80, 1)).toBeUndefined();
  });

  it('finds the non-loaded .dep-v0 section of a Rust binary', () => {
    const [exe] = openExecutables(RUST_ELF);
    expect(exe?.findSection('.dep-v0')).toMatchObject({ addr: 0, offset: 0x4f523, size: 0x76 });
  });

  it('tells executables from other files by their first bytes', () => {
    expect(executableFormat(GO_ELF)).toBe('elf');
    expect(executableFormat(Buffer.from('#!/bin/sh\n'.repeat(10)))).toBeUndefined();
    expect(openExecutables(Buffer.from('PK\x03\x04'.repeat(20), 'latin1'))).toEqual([]);
    // A Java class file shares the universal-binary magic; its "architecture count" is the class version.
    const classFile = Buffer.alloc(128);
    classFile.writeUInt32BE(0xcafebabe, 0);
    classFile.writeUInt32BE(52, 4);
    expect(openExecutables(classFile)).toEqual([]);
  });

  it('rejects broken headers with a named error instead of reading out of bounds', () => {
    expect(() => openExecutables(GO_ELF.subarray(0, 1024))).toThrow(ExecutableFormatError);
    expect(() => openExecutables(GO_ELF.subarray(0, 1024))).toThrow(/ELF: section header table at \d+ \(\+\d+\) lies outside the file/);
    const badClass = Buffer.from(GO_ELF.subarray(0, 128));
    badClass[4] = 7;
    expect(() => openExecutables(badClass)).toThrow('ELF: unknown class 7');
  });

  it('never throws anything but ExecutableFormatError on garbage', () => {
    fc.assert(
      fc.property(fc.constantFrom('\x7fELF\x02\x01', '\x7fELF\x01\x02', '\xcf\xfa\xed\xfe', '\xfe\xed\xfa\xce', '\xca\xfe\xba\xbe\x00\x00\x00\x01', 'MZ'), fc.uint8Array({ maxLength: 2048 }), (magic, rest) => {
        try {
          for (const exe of openExecutables(Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.from(rest)]))) {
            for (const s of exe.sections) exe.sectionData(s);
            exe.readAt(0x400000, 64);
          }
        } catch (e) {
          if (!(e instanceof ExecutableFormatError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('wantsExecutable', () => {
  const entry = (mode: number, size = 4096) => ({ path: 'x', type: 'file' as const, mode, size });
  it('wants files with any exec bit or a .exe name, never tiny ones', () => {
    expect(wantsExecutable('usr/bin/tool', entry(0o755))).toBe(true);
    expect(wantsExecutable('usr/bin/tool', entry(0o610))).toBe(true);
    expect(wantsExecutable('usr/share/doc/readme', entry(0o644))).toBe(false);
    expect(wantsExecutable('app/Tool.EXE', entry(0o644))).toBe(true);
    expect(wantsExecutable('usr/bin/true-ish', entry(0o755, 10))).toBe(false);
  });
});
