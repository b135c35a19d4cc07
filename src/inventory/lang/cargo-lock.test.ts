import { describe, expect, it } from 'vitest';
import { cargoLockScanner } from './cargo-lock.js';
import { expectedRows, fixture, ids, scan } from './testing/fixtures.js';

describe('Cargo.lock (syft fixtures, EXPECTED.tsv)', () => {
  const rows = expectedRows('syft', 'rust', 'EXPECTED.tsv');
  /**
   * Deliberate differences from the derived rows: crates without a `source`
   * (hello_world, app, telemetry) are workspace members or path
   * dependencies — the project's own code; a crate locked twice (regex from
   * crates.io and from git, same version) is one package.
   */
  const LOCAL = new Set(['hello_world', 'app', 'telemetry']);
  for (const file of [...new Set(rows.map((r) => r.file as string))]) {
    it(`${file}: the crates it locks`, async () => {
      const inv = await scan([cargoLockScanner], [{ path: 'src/project/Cargo.lock', content: fixture('syft', file) }]);
      expect(inv.skipped).toEqual([]);
      const expected = [...new Set(rows.filter((r) => r.file === file && !LOCAL.has(r.name as string)).map((r) => `${r.name}@${r.version}`))].sort();
      expect(ids(inv.packages)).toEqual(expected);
      for (const p of inv.packages) expect(p).toMatchObject({ ecosystem: 'crates.io', foundBy: 'cargo-lock', paths: ['src/project/Cargo.lock'] });
    });
  }

  it('purls, and the git source is noted', async () => {
    const inv = await scan([cargoLockScanner], [{ path: 'Cargo.lock', content: fixture('syft', 'rust/testdata/Cargo.lock-with-git-deps') }]);
    expect(inv.packages.find((p) => p.name === 'aho-corasick')?.purl).toBe('pkg:cargo/aho-corasick@1.1.3');
    const regex = inv.packages.filter((p) => p.name === 'regex');
    expect(regex).toHaveLength(1);
    expect(regex[0]?.purl).toBe('pkg:cargo/regex@1.11.1');
  });

  it('lockfiles in cargo’s download cache are crate sources, not what the image built', async () => {
    const inv = await scan([cargoLockScanner], [{ path: 'root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/ripgrep-14.1.0/Cargo.lock', content: fixture('syft', 'rust/testdata/Cargo.lock') }]);
    expect(inv.packages).toEqual([]);
  });

  it('a truncated Cargo.lock is skipped with the TOML error', async () => {
    const inv = await scan([cargoLockScanner], [{ path: 'app/Cargo.lock', content: fixture('syft', 'rust/testdata/Cargo.lock').subarray(0, 200) }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'cargo-lock', path: 'app/Cargo.lock' });
    expect(inv.skipped[0]?.reason).toMatch(/^Cargo\.lock is not valid TOML/);
  });
});
