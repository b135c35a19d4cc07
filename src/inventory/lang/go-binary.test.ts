import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStrataError } from '../../core/errors.js';
import type { Package } from '../../core/package.js';
import { sharedData } from '../../../test/support/paths.js';
import { inventoryFromFiles } from '../from-files.js';
import { goBinaryScanner } from './go-binary.js';
import { goVersionToSemver, parseModInfo, readGoBuildInfo, unquoteGo } from './go-buildinfo.js';

const GO_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'golang-binary', 'test.elf'));
const RUST_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'rust-binary', 'test.elf'));

function expectedModules(): string[] {
  return readFileSync(sharedData('fixtures', 'go-dep-parser', 'golang-binary', 'EXPECTED.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('name\t'))
    .map((l) => l.split('\t').join('@'));
}

const byName = (pkgs: Package[], name: string) => pkgs.find((p) => p.name === name);

describe('go-binary scanner on the go-dep-parser fixture (Go 1.15, pointer-format build info)', () => {
  it('reports every dependency of EXPECTED.tsv, the main module and the toolchain as stdlib', async () => {
    const inv = await inventoryFromFiles([goBinaryScanner], [{ path: 'usr/local/bin/test', content: GO_ELF, mode: 0o755 }]);
    expect(inv.skipped).toEqual([]);
    const ids = inv.packages.map((p) => `${p.name}@${p.version}`).sort();
    expect(ids).toEqual([...expectedModules(), 'github.com/aquasecurity/test@(devel)', 'stdlib@1.15.2'].sort());

    const stdlib = byName(inv.packages, 'stdlib');
    expect(stdlib).toMatchObject({
      ecosystem: 'Go',
      kind: 'lang',
      purl: 'pkg:golang/stdlib@1.15.2',
      cpe: 'cpe:2.3:a:golang:go:1.15.2:*:*:*:*:*:*:*',
      paths: ['usr/local/bin/test'],
      foundBy: 'go-binary',
      layer: 'sha256:in-memory',
    });
    expect(stdlib?.metadata).toMatchObject({ goVersion: 'go1.15.2', mainModule: 'github.com/aquasecurity/test', executableFormat: 'elf' });

    const main = byName(inv.packages, 'github.com/aquasecurity/test');
    expect(main?.purl).toBe('pkg:golang/github.com/aquasecurity/test');
    expect(main?.metadata).toMatchObject({ relation: 'main', unversioned: true });
    expect(main?.cpe).toBeUndefined();

    const xerrors = byName(inv.packages, 'golang.org/x/xerrors');
    expect(xerrors?.purl).toBe('pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1');
    expect(xerrors?.metadata).toEqual({ relation: 'dependency', sum: 'h1:go1bK/D/BFZV2I8cIQd1NKEZ+0owSTG1fDTci4IqFcE=' });
  });

  it('only opens files with an exec bit (or .exe)', async () => {
    const inv = await inventoryFromFiles([goBinaryScanner], [
      { path: 'data/test.elf', content: GO_ELF, mode: 0o644 },
      { path: 'win/tool.exe', content: GO_ELF, mode: 0o644 },
    ]);
    expect([...new Set(inv.packages.flatMap((p) => p.paths))]).toEqual(['win/tool.exe']);
  });

  it('ignores executables that are not Go: scripts and other ELF files', async () => {
    const inv = await inventoryFromFiles([goBinaryScanner], [
      { path: 'usr/bin/script', content: '#!/bin/sh\necho hello world, this is a shell script long enough\n', mode: 0o755 },
      { path: 'usr/bin/rusty', content: RUST_ELF, mode: 0o755 },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toEqual([]);
  });

  it('finds the build info without a section table (stripped headers), through the writable load segment', () => {
    const copy = Buffer.from(GO_ELF);
    // e_shoff = 0, e_shnum = 0: no sections at all.
    copy.writeBigUInt64LE(0n, 0x28);
    copy.writeUInt16LE(0, 0x3c);
    const info = readGoBuildInfo(copy);
    expect(info?.goVersion).toBe('go1.15.2');
    expect(info?.deps.map((d) => d.path)).toEqual(expectedModules().map((m) => m.split('@')[0]));
  });

  it('reports a truncated Go binary as unreadable instead of guessing', () => {
    // Cut right after the build info header: its pointers lead past the end of the file.
    const cut = GO_ELF.subarray(0, 0x19e000 + 32);
    expect(() => readGoBuildInfo(cut)).toThrow(/Go build info: string header at 0x[0-9a-f]+ is not in the file/);
    // Cut before the build info: nothing left says this was a Go program.
    expect(readGoBuildInfo(GO_ELF.subarray(0, 0x100000))).toBeUndefined();
    // The section table survives but the section itself is cut off.
    const copy = Buffer.from(GO_ELF);
    const shoff = Number(copy.readBigUInt64LE(0x28));
    copy.writeBigUInt64LE(BigInt(GO_ELF.length + 4096), shoff + 8 * 64 + 24); // section 8 is .go.buildinfo
    expect(() => readGoBuildInfo(copy)).toThrow(`.go.buildinfo section (32 bytes at offset ${GO_ELF.length + 4096}) lies outside the file`);
  });
});

describe('parseModInfo', () => {
  it('reads path, mod, dep, replacements and quoted build settings', () => {
    const text = [
      'path\texample.com/app/cmd/app',
      'mod\texample.com/app\t(devel)\t',
      'dep\texample.com/lib\tv1.0.0',
      '=>\texample.com/fork\tv1.1.0\th1:abc=',
      'dep\texample.com/local\tv0.3.0',
      '=>\t../local\t(devel)\t',
      'dep\tgolang.org/x/sys\tv0.1.0\th1:sys=',
      'build\t-ldflags="-s -w -X \\"main.version=1.2.3\\""',
      'build\tCGO_ENABLED=0',
      'build\t"weird key"=`raw value`',
      'build\tvcs.revision=0123abcd',
      '',
    ].join('\n');
    const info = parseModInfo(text);
    expect(info.path).toBe('example.com/app/cmd/app');
    expect(info.main).toEqual({ path: 'example.com/app', version: '(devel)' });
    expect(info.deps).toEqual([
      { path: 'example.com/lib', version: 'v1.0.0', replace: { path: 'example.com/fork', version: 'v1.1.0', sum: 'h1:abc=' } },
      { path: 'example.com/local', version: 'v0.3.0', replace: { path: '../local', version: '(devel)' } },
      { path: 'golang.org/x/sys', version: 'v0.1.0', sum: 'h1:sys=' },
    ]);
    expect(info.settings).toEqual([
      ['-ldflags', '-s -w -X "main.version=1.2.3"'],
      ['CGO_ENABLED', '0'],
      ['weird key', 'raw value'],
      ['vcs.revision', '0123abcd'],
    ]);
  });

  it('skips malformed lines and an unterminated last line, as Go does', () => {
    const info = parseModInfo('dep\tonly-path\nmod\ta\tv1\tsum\textra\n=>\torphan\tv1\t\ndep\tok\tv1.0.0\ndep\tlast\tv2');
    expect(info.main).toBeUndefined();
    expect(info.deps).toEqual([{ path: 'ok', version: 'v1.0.0' }]);
  });
});

describe('unquoteGo', () => {
  it('decodes Go escapes', () => {
    expect(unquoteGo('"a\\tb\\x41\\u00e9\\101\\\\"')).toBe('a\tbAéA\\');
    expect(unquoteGo('`x"y`')).toBe('x"y');
    expect(unquoteGo('"unterminated')).toBeUndefined();
    expect(unquoteGo('"bad \\q"')).toBeUndefined();
  });
});

describe('goVersionToSemver', () => {
  it('turns toolchain tags into OSV stdlib versions', () => {
    expect(goVersionToSemver('go1.20.12')).toEqual({ version: '1.20.12', prerelease: false });
    expect(goVersionToSemver('go1.20')).toEqual({ version: '1.20.0', prerelease: false });
    expect(goVersionToSemver('go1.21rc2')).toEqual({ version: '1.21.0-rc.2', prerelease: true });
    expect(goVersionToSemver('go1.21.0 X:loopvar')).toEqual({ version: '1.21.0', prerelease: false });
    expect(goVersionToSemver('go1.16.7b7')).toEqual({ version: '1.16.7', prerelease: false });
    expect(goVersionToSemver('devel go1.22-abcdef Tue Oct 10 2023')).toBeUndefined();
    expect(goVersionToSemver('go1.2x')).toBeUndefined();
    expect(goVersionToSemver('go1.22-20231128-RC02 cl/586117301 +6111acc8e6 X:fieldtrack,boringcrypto')).toBeUndefined();
    expect(goVersionToSemver('go1.23.1 X:nocoverageredesign')).toEqual({ version: '1.23.1', prerelease: false });
  });
});

describe('go-binary robustness (fast-check)', () => {
  const onlyCleanErrors = (buf: Buffer) => {
    try {
      const info = readGoBuildInfo(buf);
      if (info) expect(typeof info.goVersion).toBe('string');
    } catch (e) {
      if (!isStrataError(e)) throw e;
    }
  };

  it('random bytes behind an executable magic never throw anything but a clean error', () => {
    const magics = [
      [0x7f, 0x45, 0x4c, 0x46, 2, 1],
      [0x7f, 0x45, 0x4c, 0x46, 1, 2],
      [0xcf, 0xfa, 0xed, 0xfe],
      [0xfe, 0xed, 0xfa, 0xce],
      [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2],
      [0x4d, 0x5a],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...magics), fc.uint8Array({ minLength: 0, maxLength: 4096 }), (magic, rest) => {
        onlyCleanErrors(Buffer.concat([Buffer.from(magic), Buffer.from(rest)]));
      }),
      { numRuns: 2000 },
    );
  });

  it('a real Go binary with corrupted headers, build info or truncation never throws anything but a clean error', () => {
    const regions = [
      [0, 0x40], // ELF header
      [0x40, 0x40 + 56 * 8], // program headers
      [GO_ELF.length - 64 * 30, GO_ELF.length], // section headers
      [0x19e000, 0x19e000 + 32], // build info header
      [0x5aed60 - 0x400000, 0x5aed60 - 0x400000 + 64], // the string headers it points to (vaddr 0x5aed60)
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...regions),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
        fc.option(fc.nat({ max: GO_ELF.length }), { nil: undefined }),
        ([from, to], edits, cut) => {
          const copy = Buffer.from(GO_ELF);
          for (const [at, byte] of edits) copy[from + (at % Math.max(1, to - from))] = byte;
          onlyCleanErrors(cut === undefined ? copy : copy.subarray(0, cut));
        },
      ),
      { numRuns: 300 },
    );
  });
});
