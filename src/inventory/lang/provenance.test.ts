/**
 * Layer provenance of language packages across real layer semantics: the
 * layer that brought a package, not a later one that rewrote its file.
 */
import { describe, expect, it } from 'vitest';
import { cargoLockScanner } from './cargo-lock.js';
import { npmLockScanner, npmScanner } from './npm.js';
import { pythonScanner } from './python.js';
import { layerId, scanLayers } from './testing/fixtures.js';

const manifest = (name: string, version: string) => JSON.stringify({ name, version });

describe('which layer brought a language package', () => {
  it('a later layer that only rewrites the files (chown -R) does not move the packages', async () => {
    const files = [
      { path: 'app/node_modules/a/package.json', content: manifest('a', '1.0.0') },
      { path: 'app/site/x-1.0.dist-info/METADATA', content: 'Name: x\nVersion: 1.0\n' },
    ];
    const inv = await scanLayers([npmScanner, pythonScanner], [{ files }, { files: [] }, { files }]);
    expect(inv.packages.map((p) => `${p.name} ${p.layer}`).sort()).toEqual([`a ${layerId(0)}`, `x ${layerId(0)}`]);
  });

  it('an upgraded package belongs to the layer that upgraded it', async () => {
    const inv = await scanLayers(
      [npmScanner],
      [{ files: [{ path: 'node_modules/a/package.json', content: manifest('a', '1.0.0') }] }, { files: [{ path: 'node_modules/a/package.json', content: manifest('a', '2.0.0') }] }],
    );
    expect(inv.packages.map((p) => `${p.name}@${p.version} ${p.layer}`)).toEqual([`a@2.0.0 ${layerId(1)}`]);
  });

  it('a lockfile updated in a later layer: kept packages stay in the old layer, new ones come from the new', async () => {
    const lock = (deps: Record<string, string>) =>
      JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...Object.fromEntries(Object.entries(deps).map(([n, v]) => [`node_modules/${n}`, { version: v }])) } });
    const cargo = (crates: [string, string][]) =>
      crates.map(([n, v]) => `[[package]]\nname = "${n}"\nversion = "${v}"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n`).join('\n');
    const inv = await scanLayers(
      [npmLockScanner, cargoLockScanner],
      [
        { files: [{ path: 'srv/package-lock.json', content: lock({ a: '1.0.0', b: '1.0.0' }) }, { path: 'srv/Cargo.lock', content: cargo([['serde', '1.0.0']]) }] },
        { files: [{ path: 'srv/package-lock.json', content: lock({ a: '1.0.0', b: '1.1.0', c: '3.0.0' }) }, { path: 'srv/Cargo.lock', content: cargo([['serde', '1.0.0'], ['libc', '0.2.0']]) }] },
      ],
    );
    expect(inv.packages.map((p) => `${p.name}@${p.version} ${p.layer}`).sort()).toEqual([
      `a@1.0.0 ${layerId(0)}`,
      `b@1.1.0 ${layerId(1)}`,
      `c@3.0.0 ${layerId(1)}`,
      `libc@0.2.0 ${layerId(1)}`,
      `serde@1.0.0 ${layerId(0)}`,
    ]);
  });

  it('a deleted manifest takes its package with it', async () => {
    const inv = await scanLayers(
      [npmScanner],
      [{ files: [{ path: 'opt/x/package.json', content: manifest('x', '1.0.0') }, { path: 'opt/y/package.json', content: manifest('y', '1.0.0') }] }, { files: [], whiteouts: ['opt/x'] }],
    );
    expect(inv.packages.map((p) => p.name)).toEqual(['y']);
  });
});
