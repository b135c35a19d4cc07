import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStrataError } from '../../core/errors.js';
import { sharedData } from '../../../test/support/paths.js';
import { inventoryFromFiles } from '../from-files.js';
import { openExecutables } from '../formats/executable.js';
import { readAuditableInfo, rustBinaryScanner } from './rust-binary.js';

const RUST_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'rust-binary', 'test.elf'));
const GO_ELF = readFileSync(sharedData('fixtures', 'go-dep-parser', 'golang-binary', 'test.elf'));

/** The fixture's .dep-v0 section (offset 0x4f523, 0x76 bytes per readelf). */
function depSection(buf: Buffer): { offset: number; size: number } {
  const s = openExecutables(buf)[0]?.findSection('.dep-v0');
  if (!s) throw new Error('fixture has no .dep-v0');
  return { offset: s.offset, size: s.size };
}

/** A copy of the fixture whose .dep-v0 section header points at `content`, appended to the file. */
function withSection(content: Buffer): Buffer {
  const exe = openExecutables(RUST_ELF)[0];
  const s = exe?.findSection('.dep-v0');
  if (!exe || !s) throw new Error('fixture has no .dep-v0');
  const copy = Buffer.concat([RUST_ELF, content]);
  const shoff = Number(copy.readBigUInt64LE(0x28));
  const index = exe.sections.indexOf(s);
  copy.writeBigUInt64LE(BigInt(RUST_ELF.length), shoff + index * 64 + 24);
  copy.writeBigUInt64LE(BigInt(content.length), shoff + index * 64 + 32);
  return copy;
}

describe('rust-binary scanner on the go-dep-parser cargo-auditable fixture', () => {
  it('reports the crates of EXPECTED.tsv with their dependency edges', async () => {
    const expected = readFileSync(sharedData('fixtures', 'go-dep-parser', 'rust-binary', 'EXPECTED.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('name\t'))
      .map((l) => l.split('\t'));
    const inv = await inventoryFromFiles([rustBinaryScanner], [{ path: 'usr/bin/crate_with_features', content: RUST_ELF, mode: 0o755 }]);
    expect(inv.skipped).toEqual([]);
    expect(inv.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(expected.map(([n, v]) => `${n}@${v}`).sort());
    for (const [name, , indirect, dependsOn] of expected) {
      const pkg = inv.packages.find((p) => p.name === name);
      expect(pkg).toMatchObject({ ecosystem: 'crates.io', kind: 'lang', foundBy: 'rust-binary', paths: ['usr/bin/crate_with_features'] });
      // The root crate is the direct one; the upstream test calls the rest indirect.
      expect(pkg?.metadata?.root === true).toBe(indirect === 'false');
      expect(pkg?.metadata?.dependsOn).toBe(dependsOn || undefined);
      expect(pkg?.metadata?.source).toBe('local');
    }
    expect(inv.packages.find((p) => p.name === 'library_crate')?.purl).toBe('pkg:cargo/library_crate@0.1.0');
  });

  it('leaves out build-time crates and keeps registry sources', () => {
    const json = JSON.stringify({
      packages: [
        { name: 'app', version: '1.0.0', source: 'local', dependencies: [1, 2], root: true },
        { name: 'serde', version: '1.0.200', source: 'crates.io' },
        { name: 'cc', version: '1.0.90', source: 'crates.io', kind: 'build' },
      ],
    });
    const info = readAuditableInfo(withSection(deflateSync(json)));
    expect(info?.crates.map((c) => c.name)).toEqual(['app', 'serde', 'cc']);
    const pkgs = info ? rustBinaryScannerPackages(info) : [];
    expect(pkgs.map((p) => `${p.name}@${p.version}:${String(p.metadata?.source)}`)).toEqual(['app@1.0.0:local', 'serde@1.0.200:crates.io']);
    expect(pkgs[0]?.metadata?.dependsOn).toBe('serde@1.0.200');
  });

  it('ignores executables without the section (a Go binary, a script)', async () => {
    const inv = await inventoryFromFiles([rustBinaryScanner], [
      { path: 'usr/bin/go-tool', content: GO_ELF, mode: 0o755 },
      { path: 'usr/bin/script', content: '#!/bin/sh\nexit 0\n'.repeat(8), mode: 0o755 },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toEqual([]);
  });

  it('names the problem when the section is not zlib or not the expected JSON', async () => {
    const garbage = withSection(Buffer.from('definitely not zlib'));
    const notJson = withSection(deflateSync('{"packages": [tru'));
    const noList = withSection(deflateSync('{"pkgs": []}'));
    const inv = await inventoryFromFiles([rustBinaryScanner], [
      { path: 'a', content: garbage, mode: 0o755 },
      { path: 'b', content: notJson, mode: 0o755 },
      { path: 'c', content: noList, mode: 0o755 },
    ]);
    expect(inv.skipped.map((s) => `${s.path}: ${s.reason}`)).toEqual([
      'a: cargo-auditable section .dep-v0 is not valid zlib data',
      expect.stringMatching(/^b: cargo-auditable section \.dep-v0 is not JSON: /),
      'c: cargo-auditable section .dep-v0 has no "packages" list',
    ]);
  });

  it('reports crates without name or version once, with a count', () => {
    const json = JSON.stringify({ packages: [{ name: 'ok', version: '1.0.0' }, ...Array<object>(1000).fill({ version: '1' })] });
    const warnings: string[] = [];
    const info = readAuditableInfo(withSection(deflateSync(json)), { warn: (w) => warnings.push(w) });
    expect(info?.crates.filter((c) => c.name).map((c) => c.name)).toEqual(['ok']);
    expect(warnings).toEqual(['cargo-auditable package #1 has no name or version', '999 more cargo-auditable packages have no name or version']);
  });

  it('stops a decompression bomb in the section', () => {
    // 64 MiB of spaces deflate to ~64 KiB.
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(() => readAuditableInfo(withSection(bomb))).toThrow('cargo-auditable section .dep-v0 inflates past 16777216 bytes');
  });

  it('random mutations of the binary never throw anything but a clean error', () => {
    const { offset, size } = depSection(RUST_ELF);
    fc.assert(
      fc.property(
        fc.constantFrom([0, 0x40], [offset, offset + size], [RUST_ELF.length - 64 * 42, RUST_ELF.length]),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat({ max: RUST_ELF.length }), { nil: undefined }),
        ([from, to], edits, cut) => {
          const copy = Buffer.from(RUST_ELF);
          for (const [at, byte] of edits) copy[from + (at % (to - from))] = byte;
          try {
            readAuditableInfo(cut === undefined ? copy : copy.subarray(0, cut), { warn: () => undefined });
          } catch (e) {
            if (!isStrataError(e)) throw e;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function rustBinaryScannerPackages(info: NonNullable<ReturnType<typeof readAuditableInfo>>) {
  return rustBinaryScanner.collect(
    {
      layers: [{ index: 0, diffId: 'sha256:x' }],
      files: () => [{ path: 'bin/app', layer: { index: 0, diffId: 'sha256:x' }, value: info }],
      history: () => [],
      resolve: (p) => p,
    },
    { skip: () => undefined },
  ).packages ?? [];
}
