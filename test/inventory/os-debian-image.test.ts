/**
 * End to end on the real 3-layer Debian test image (build-debian-image.sh)
 * and on this machine's own root filesystem: Strata's dpkg packages through
 * the whole pipeline (open, stream each layer, apply whiteouts, assemble)
 * equal what dpkg-query says, and each package's layer is the one where it
 * first appears. Expected values come from the build's oracle files
 * (rootfs-expected/dpkg-query.tsv, package-layers.tsv, layers.tsv,
 * removed-packages.tsv) and from running dpkg-query here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Package } from '../../src/core/package.js';
import type { Scanner } from '../../src/core/scanner.js';
import { openImage } from '../../src/image/open.js';
import { openRootfs } from '../../src/image/rootfs.js';
import { distroScanner } from '../../src/inventory/distro/scanner.js';
import { apkScanner } from '../../src/inventory/os/apk.js';
import { dpkgScanner } from '../../src/inventory/os/dpkg.js';
import { rpmScanner } from '../../src/inventory/os/rpm/scanner.js';
import { type ImageInventory, inventoryOfImage } from '../../src/scan/inventory.js';
import { debianImage } from '../support/images.js';

const SCANNERS: Scanner[] = [distroScanner, dpkgScanner, apkScanner, rpmScanner];

function tsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const keys = (header ?? '').split('\t');
  return lines.map((l): Record<string, string> => Object.fromEntries(l.split('\t').map((v, i) => [keys[i] as string, v])));
}

/** dpkg-query's `${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}` for a package. */
const queryLine = (p: Package) => [p.name, p.version, p.source?.name, p.source?.version, p.arch].join('\t');

async function inventory(input: string): Promise<ImageInventory> {
  const image = await openImage(input);
  try {
    return await inventoryOfImage(image, { scanners: SCANNERS, cache: null });
  } finally {
    await image.close();
  }
}

describe('dpkg packages of the Debian test image', () => {
  let expected: ReturnType<typeof debianImage>;
  let oci: ImageInventory;
  let diffIds: string[];

  beforeAll(async () => {
    expected = debianImage();
    diffIds = tsv(path.join(expected.expected, 'layers.tsv')).map((r) => r.diff_id as string);
    oci = await inventory(expected.ociLayout);
  });

  it('names the distribution Debian 12', () => {
    expect(oci.distro).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12', codename: 'bookworm' });
  });

  it('equals dpkg-query -W of the final image: name, version, source, source version, arch', () => {
    const want = readFileSync(path.join(expected.expected, 'dpkg-query.tsv'), 'utf8').split('\n').filter(Boolean).sort();
    const dpkg = oci.packages.filter((p) => p.foundBy === 'dpkg');
    expect(dpkg.map(queryLine).sort()).toEqual(want);
    expect(oci.skipped.filter((s) => s.scanner === 'dpkg')).toEqual([]);
  });

  it('gives each package the layer where it first appears', () => {
    const rows = tsv(path.join(expected.expected, 'package-layers.tsv'));
    const want = Object.fromEntries(rows.map((r) => [r.package as string, diffIds[Number(r.first_layer) - 1]]));
    const got = Object.fromEntries(oci.packages.filter((p) => p.foundBy === 'dpkg').map((p) => [p.name, p.layer]));
    expect(got).toEqual(want);
    // Both layers contribute: the check above would be weak if they did not.
    expect(new Set(Object.values(got)).size).toBe(2);
  });

  it('leaves out netbase, purged in layer 2', () => {
    const removed = tsv(path.join(expected.expected, 'removed-packages.tsv')).map((r) => r.package);
    expect(removed).toContain('netbase');
    for (const name of removed) expect(oci.packages.find((p) => p.name === name)).toBeUndefined();
  });

  it('records ecosystem, purl, database path, owned files and licences', () => {
    const yaml = oci.packages.find((p) => p.name === 'python3-yaml');
    expect(yaml).toMatchObject({
      ecosystem: 'Debian:12',
      kind: 'os',
      purl: 'pkg:deb/debian/python3-yaml@6.0-3+b2?arch=amd64&distro=debian-12&upstream=pyyaml',
      paths: ['var/lib/dpkg/status'],
      foundBy: 'dpkg',
    });
    expect(yaml?.files).toEqual(expect.arrayContaining(['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA']));
    expect(oci.packages.find((p) => p.name === 'libc6')?.licenses?.length).toBeGreaterThan(0);
  });

  it('the docker-archive and the zstd OCI layout give the same packages and layers', async () => {
    const key = (inv: ImageInventory) => inv.packages.map((p) => `${queryLine(p)}\t${p.layer}`).sort();
    const want = key(oci);
    expect(key(await inventory(expected.dockerArchive))).toEqual(want);
    expect(key(await inventory(expected.ociZstdLayout))).toEqual(want);
  });
});

const hasDpkg = existsSync('/var/lib/dpkg/status') && existsSync('/usr/bin/dpkg-query');

describe.skipIf(!hasDpkg)('dpkg packages of this machine’s root filesystem', () => {
  it('equal dpkg-query -W here', async () => {
    const format = '${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n';
    const want = execFileSync('dpkg-query', ['-W', `-f=${format}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .split('\n')
      // Packages whose files are on disk: installed, unpacked, half-configured, triggers-awaited/pending.
      .filter((l) => /^.[iUFWt]/.test(l))
      .map((l) => l.split('\t').slice(1).join('\t'))
      .sort();
    const image = await openRootfs('/');
    const inv = await inventoryOfImage(image, { scanners: [distroScanner, dpkgScanner], cache: null });
    const got = inv.packages.filter((p) => p.foundBy === 'dpkg').map(queryLine).sort();
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  }, 600_000);
});
