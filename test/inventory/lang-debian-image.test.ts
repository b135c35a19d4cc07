/**
 * End to end on the real 3-layer Debian test image (build-debian-image.sh):
 * the language-manifest scanners through the whole pipeline (open the OCI
 * layout, stream each layer, apply whiteouts and the opaque directory,
 * attribute to dpkg). Expected values come from the build's own oracle files
 * (rootfs-expected/ecosystem-evidence.tsv, layers.tsv).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Package } from '../../src/core/package.js';
import type { Scanner } from '../../src/core/scanner.js';
import { openImage } from '../../src/image/open.js';
import { distroScanner } from '../../src/inventory/distro/scanner.js';
import { manifestScanners } from '../../src/inventory/lang/manifests.js';
import { dpkgScanner } from '../../src/inventory/os/dpkg.js';
import { type ImageInventory, inventoryOfImage } from '../../src/scan/inventory.js';
import { debianImage } from '../support/images.js';

const MANIFEST_SCANNERS: Scanner[] = manifestScanners();
const MANIFEST_IDS = new Set(MANIFEST_SCANNERS.map((s) => s.id));
// dpkg (and the distro it names packages after) is what owns Debian's own language files.
const SCANNERS: Scanner[] = [distroScanner, dpkgScanner, ...MANIFEST_SCANNERS];

function tsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const keys = (header ?? '').split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i): [string, string] => [keys[i] ?? '', v])));
}

describe('language manifests in the Debian test image', () => {
  let image: ReturnType<typeof debianImage>;
  let layers: string[];
  let evidence: Record<string, string>[];
  let plain: ImageInventory;
  let kept: ImageInventory;
  const lang = (inv: ImageInventory): Package[] => inv.packages.filter((p) => MANIFEST_IDS.has(p.foundBy));

  beforeAll(async () => {
    image = debianImage();
    layers = tsv(path.join(image.expected, 'layers.tsv')).map((r) => r.diff_id as string);
    evidence = tsv(path.join(image.expected, 'ecosystem-evidence.tsv'));
    const open = async (keepOsOwned: boolean) => {
      const img = await openImage(image.ociLayout);
      try {
        return await inventoryOfImage(img, { scanners: SCANNERS, cache: null, keepOsOwned });
      } finally {
        await img.close();
      }
    };
    plain = await open(false);
    kept = await open(true);
  });

  it('reports exactly the npm packages no Debian package owns, each in the layer that brought it', () => {
    const found = lang(plain).map((p) => ({ name: p.name, version: p.version, purl: p.purl, layer: p.layer, paths: p.paths, foundBy: p.foundBy }));
    expect(found.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        name: '@esbuild/linux-x64',
        version: '0.19.12',
        purl: 'pkg:npm/%40esbuild/linux-x64@0.19.12',
        layer: layers[1],
        paths: ['usr/local/lib/node_modules/@esbuild/linux-x64/package.json'],
        foundBy: 'npm',
      },
      { name: 'demo-app', version: '2.0.0', purl: 'pkg:npm/demo-app@2.0.0', layer: layers[2], paths: ['opt/app/package.json'], foundBy: 'npm' },
    ]);
  });

  it('the demo-app 1.0.0 of layer 2, hidden by the opaque directory of layer 3, is not reported', () => {
    for (const inv of [plain, kept]) expect(inv.packages.filter((p) => p.name === 'demo-app').map((p) => p.version)).toEqual(['2.0.0']);
  });

  it('no manifest scanner skipped anything', () => {
    expect(plain.skipped.filter((s) => s.scanner && MANIFEST_IDS.has(s.scanner))).toEqual([]);
  });

  it('Debian-owned npm and Python metadata is attributed to its Debian package (kept only when asked)', () => {
    for (const name of ['inherits', 'PyYAML']) expect(plain.packages.find((p) => p.name === name)).toBeUndefined();
    const inherits = kept.packages.find((p) => p.name === 'inherits' && p.foundBy === 'npm');
    expect(inherits).toMatchObject({
      version: '2.0.4',
      purl: 'pkg:npm/inherits@2.0.4',
      paths: ['usr/share/nodejs/inherits/package.json'],
      layer: layers[1],
      ownedBy: { name: 'node-inherits', ecosystem: 'Debian:12' },
    });
    const pyyaml = kept.packages.find((p) => p.name === 'PyYAML');
    const expected = evidence.find((r) => r.kind === 'python')?.detail; // "PyYAML 6.0"
    expect(pyyaml && `${pyyaml.name} ${pyyaml.version}`).toBe(expected);
    expect(pyyaml).toMatchObject({
      ecosystem: 'PyPI',
      purl: `pkg:pypi/pyyaml@${pyyaml?.version}`,
      paths: [`${(evidence.find((r) => r.kind === 'python')?.path ?? '').slice(1)}/METADATA`],
      layer: layers[1],
      ownedBy: { name: 'python3-yaml', ecosystem: 'Debian:12' },
    });
  });

  it('every gemspec of the image is read, and each belongs to a Debian package', () => {
    const gems = evidence.filter((r) => r.kind === 'gem');
    const expected = new Map<string, string[]>();
    for (const g of gems) {
      const full = g.detail as string; // name-version
      const dash = full.lastIndexOf('-');
      const key = `${full.slice(0, dash)}@${full.slice(dash + 1)}`;
      expected.set(key, [...(expected.get(key) ?? []), (g.path as string).slice(1)].sort());
    }
    const found = kept.packages.filter((p) => p.foundBy === 'gemspec');
    const got = new Map(found.map((p) => [`${p.name}@${p.version}`, p.paths]));
    // Every gem of the oracle, at every path it lists.
    for (const [id, paths] of expected) expect([id, got.get(id)]).toEqual([id, paths]);
    // The oracle only searched /usr/share/rubygems-integration and /usr/lib/ruby/gems; Strata also
    // reads the arch-specific /usr/lib/<triplet>/rubygems-integration (ruby-sdbm's gemspec). Any
    // extra must still be an installed spec whose file name is RubyGems' `<name>-<version>.gemspec`.
    for (const p of found) {
      if (expected.has(`${p.name}@${p.version}`)) continue;
      for (const f of p.paths) {
        expect(f).toMatch(/\/specifications\/[^/]+\.gemspec$/);
        expect(path.basename(f)).toBe(`${p.name}-${p.version}.gemspec`);
      }
    }
    for (const p of found) {
      expect(p.ownedBy?.ecosystem).toBe('Debian:12');
      expect(p.layer).toBe(layers[1]);
    }
    if (gems.length) {
      expect(found.find((p) => p.name === 'rack')?.ownedBy?.name).toBe('ruby-rack');
      expect(found.find((p) => p.name === 'json')?.metadata).toEqual({ defaultGem: true });
    }
    expect(plain.packages.filter((p) => p.foundBy === 'gemspec')).toEqual([]);
  });
});
