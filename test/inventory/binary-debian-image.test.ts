/**
 * End to end on the real 3-layer Debian test image (build-debian-image.sh):
 * the Go, cargo-auditable and Java scanners through the whole pipeline
 * (open the image, stream each layer, assemble, attribute to dpkg).
 * Expected values come from the build's oracle files
 * (rootfs-expected/ecosystem-evidence.tsv: `go version -m`-style lines and
 * the jar's pom.properties, written by the build script with `strings` and
 * `unzip`), so they follow whatever the Debian archive shipped that day.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Package } from '../../src/core/package.js';
import type { Scanner } from '../../src/core/scanner.js';
import { openImage } from '../../src/image/open.js';
import { distroScanner } from '../../src/inventory/distro/scanner.js';
import { goBinaryScanner } from '../../src/inventory/lang/go-binary.js';
import { javaScanner } from '../../src/inventory/lang/java.js';
import { rustBinaryScanner } from '../../src/inventory/lang/rust-binary.js';
import { dpkgScanner } from '../../src/inventory/os/dpkg.js';
import { type ImageInventory, inventoryOfImage } from '../../src/scan/inventory.js';
import { debianImage } from '../support/images.js';

const BINARY_SCANNERS: Scanner[] = [goBinaryScanner, rustBinaryScanner, javaScanner];
const BINARY_IDS = new Set(BINARY_SCANNERS.map((s) => s.id));
const SCANNERS: Scanner[] = [distroScanner, dpkgScanner, ...BINARY_SCANNERS];

function tsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const keys = (header ?? '').split('\t');
  return lines.map((l) => Object.fromEntries(l.split('\t').map((v, i): [string, string] => [keys[i] ?? String(i), v])));
}

/** `go1.20.12; dep golang.org/x/sys v0.0.0-… h1:…;mod github.com/evanw/esbuild (devel) ;path …` → name@version list and toolchain. */
function goEvidence(detail: string): { go: string; modules: string[] } {
  const parts = detail.split(';').map((s) => s.trim());
  const go = parts[0] ?? '';
  const modules = parts
    .filter((p) => p.startsWith('dep ') || p.startsWith('mod '))
    .map((p) => {
      const [, name, version] = p.split(/\s+/);
      return `${name}@${version}`;
    });
  return { go, modules };
}

const rows = (pkgs: Package[]) =>
  pkgs
    .filter((p) => BINARY_IDS.has(p.foundBy))
    .map((p) => ({ id: `${p.name}@${p.version}`, foundBy: p.foundBy, paths: p.paths, layer: p.layer, ownedBy: p.ownedBy?.name }))
    .sort((a, b) => a.id.localeCompare(b.id));

describe('Go binaries and jars in the Debian test image', () => {
  let layers: string[];
  let evidence: Record<string, string>[];
  let plain: ImageInventory;
  let kept: ImageInventory;

  beforeAll(async () => {
    const image = debianImage();
    layers = tsv(path.join(image.expected, 'layers.tsv')).map((r) => r.diff_id as string);
    evidence = tsv(path.join(image.expected, 'ecosystem-evidence.tsv'));
    const run = async (keepOsOwned: boolean) => {
      const img = await openImage(image.ociLayout);
      try {
        return await inventoryOfImage(img, { scanners: SCANNERS, cache: null, keepOsOwned });
      } finally {
        await img.close();
      }
    };
    plain = await run(false);
    kept = await run(true);
  });

  it('reports the esbuild binary npm installed: main module, dependency and toolchain, from layer 2', () => {
    const row = evidence.find((r) => r.kind === 'go-binary' && r.path?.endsWith('/esbuild'));
    if (!row) throw new Error('the oracle lists no esbuild binary (built with WITH_ESBUILD=0?)');
    const { go, modules } = goEvidence(row.detail as string);
    const at = (row.path as string).slice(1);
    expect(go).toBe('go1.20.12');
    const expected = [...modules, `stdlib@${go.slice(2)}`].sort().map((id) => ({ id, foundBy: 'go-binary', paths: [at], layer: layers[1], ownedBy: undefined }));
    expect(expected.map((e) => e.id)).toEqual(['github.com/evanw/esbuild@(devel)', 'golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8', 'stdlib@1.20.12']);
    expect(rows(plain.packages)).toEqual(expected);

    const stdlib = plain.packages.find((p) => p.name === 'stdlib');
    expect(stdlib).toMatchObject({
      ecosystem: 'Go',
      purl: 'pkg:golang/stdlib@1.20.12',
      cpe: 'cpe:2.3:a:golang:go:1.20.12:*:*:*:*:*:*:*',
      arch: 'amd64',
      metadata: {
        goVersion: 'go1.20.12',
        mainModule: 'github.com/evanw/esbuild',
        mainPackage: 'github.com/evanw/esbuild/cmd/esbuild',
        'build.-trimpath': 'true',
        'build.GOOS': 'linux',
        'build.vcs': 'git',
      },
    });
    expect(plain.packages.find((p) => p.name === 'github.com/evanw/esbuild')?.metadata).toMatchObject({ relation: 'main', unversioned: true });
  });

  it("Debian's umoci (GOPATH build: toolchain only) and commons-lang3.jar belong to their Debian packages", () => {
    const umoci = evidence.find((r) => r.kind === 'go-binary' && r.path === '/usr/bin/umoci');
    const jar = evidence.find((r) => r.kind === 'java');
    if (!umoci || !jar) throw new Error('oracle rows for umoci and the jar are missing');
    const goVersion = goEvidence(umoci.detail as string).go;
    const pom = Object.fromEntries((jar.detail as string).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));

    const ownedRows = rows(kept.packages).filter((r) => r.ownedBy !== undefined);
    expect(ownedRows).toEqual(
      [
        { id: `stdlib@${goVersion.slice(2)}`, foundBy: 'go-binary', paths: ['usr/bin/umoci'], layer: layers[1], ownedBy: 'umoci' },
        { id: `${pom.groupId}:${pom.artifactId}@${pom.version}`, foundBy: 'java', paths: [(jar.path as string).slice(1)], layer: layers[1], ownedBy: 'libcommons-lang3-java' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const umociStdlib = kept.packages.find((p) => p.paths.includes('usr/bin/umoci'));
    expect(umociStdlib?.metadata).toMatchObject({ mainPackage: 'github.com/opencontainers/umoci/cmd/umoci', goVersion });
    expect(umociStdlib?.metadata?.mainModule).toBeUndefined();
    expect(kept.packages.find((p) => p.foundBy === 'java')?.metadata).toMatchObject({ evidence: 'pom.properties' });
    // Kept or not, the esbuild packages are the same.
    expect(rows(kept.packages).filter((r) => r.ownedBy === undefined)).toEqual(rows(plain.packages));
  });

  it('no binary scanner skipped anything, and no cargo-auditable binary is in the image', () => {
    expect(plain.skipped.filter((s) => s.scanner && BINARY_IDS.has(s.scanner))).toEqual([]);
    expect(kept.packages.filter((p) => p.foundBy === 'rust-binary')).toEqual([]);
  });
});
