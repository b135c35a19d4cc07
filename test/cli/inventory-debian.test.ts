/**
 * What `strata image --format json` says is installed in the real Debian test
 * image, against the oracles build-debian-image.sh wrote from an independent
 * `umoci unpack` + `dpkg-query`: the distribution, every dpkg package with
 * its source package, arch and the layer that brought it, the language
 * packages outside dpkg (esbuild's Go module and npm package, the demo app
 * behind the opaque whiteout), and the dpkg-owned ones that are left out by
 * default and kept with `ownedBy` under --keep-os-owned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsOf, jsonReportValidator } from '../../src/report/testing/validators.js';
import { noDb, okJson, runStrata } from '../support/cli.js';
import { dpkgQuery, ecosystemEvidence, type JsonPackage, type JsonReport, layerRows, packageFirstLayers } from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';

const validate = jsonReportValidator(true);
let work: string;
let report: JsonReport;
let kept: JsonReport;

async function scan(extra: string[]): Promise<JsonReport> {
  const run = await runStrata(['image', '--input', debianImage().ociLayout, '--format', 'json', ...noDb(work), '--cache-dir', path.join(work, 'cache'), ...extra]);
  const doc = okJson<JsonReport>(run);
  expect(validate(doc), errorsOf(validate)).toBe(true);
  return doc;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-inventory-'));
  report = await scan([]);
  // Second run from the layer cache the first one wrote: --keep-os-owned is applied after the cache.
  kept = await scan(['--keep-os-owned']);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const diffIdOfLayer = (n: number) => layerRows()[n - 1]?.diffId;
const dpkg = (r: JsonReport) => r.packages.filter((p) => p.foundBy === 'dpkg');
const lang = (r: JsonReport) => r.packages.filter((p) => p.kind === 'lang');
const key = (p: Pick<JsonPackage, 'ecosystem' | 'name' | 'version'>) => `${p.ecosystem} ${p.name} ${p.version}`;

/** The language packages the evidence says are outside dpkg (Go module build of esbuild, npm packages under /usr/local and /opt). */
function expectedUnowned(): Array<{ ecosystem: string; name: string; version: string; path: string; layer: number }> {
  const out: Array<{ ecosystem: string; name: string; version: string; path: string; layer: number }> = [];
  for (const e of ecosystemEvidence()) {
    const p = e.path.replace(/^\//, '');
    if (!p.startsWith('usr/local/') && !p.startsWith('opt/')) continue;
    const layer = p.startsWith('opt/app/') ? 3 : 2;
    if (e.kind === 'go-binary') {
      const go = /go(\d+\.\d+(?:\.\d+)?)/.exec(e.detail)?.[1] as string;
      out.push({ ecosystem: 'Go', name: 'stdlib', version: go, path: p, layer });
      for (const m of e.detail.matchAll(/(mod|dep) (\S+) (\S+)/g)) out.push({ ecosystem: 'Go', name: m[2] as string, version: m[3] as string, path: p, layer });
    } else if (e.kind === 'npm') {
      const [name, version] = e.detail.split(' ') as [string, string];
      out.push({ ecosystem: 'npm', name, version, path: p, layer });
    }
  }
  return out;
}

describe('distribution and dpkg packages', () => {
  it('os is Debian 12', () => {
    expect(report.os).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12' });
  });

  it('the dpkg packages equal dpkg-query -W of the image: name, version, source, source version, arch', () => {
    const ours = dpkg(report)
      .map((p) => [p.name, p.version, p.source?.name, p.source?.version, p.arch].join('\t'))
      .sort();
    const oracle = dpkgQuery()
      .map((r) => [r.name, r.version, r.sourceName, r.sourceVersion, r.arch].join('\t'))
      .sort();
    expect(ours).toEqual(oracle);
    for (const p of dpkg(report)) {
      expect(p.kind).toBe('os');
      expect(p.ecosystem).toBe('Debian:12');
      const purlName = /^pkg:deb\/debian\/([^@]+)@/.exec(p.purl)?.[1];
      expect(purlName && decodeURIComponent(purlName), p.purl).toBe(p.name);
      expect(p.purl).toContain(`arch=${p.arch}`);
      expect(p.purl).toContain('distro=debian-12');
      expect(p.paths).toEqual(['var/lib/dpkg/status']);
    }
  });

  it("each dpkg package's layer is the diffID of the first layer whose database lists it", () => {
    const first = packageFirstLayers();
    expect(first.size).toBe(dpkg(report).length);
    const wrong = dpkg(report)
      .filter((p) => p.layer !== diffIdOfLayer(first.get(p.name) ?? 0))
      .map((p) => `${p.name}: ${p.layer} (expected layer ${first.get(p.name)})`);
    expect(wrong).toEqual([]);
    // Both layers contribute: the base and the apt-get layer.
    expect(new Set(dpkg(report).map((p) => p.layer))).toEqual(new Set([diffIdOfLayer(1), diffIdOfLayer(2)]));
  });
});

describe('language packages', () => {
  it('exactly the packages outside dpkg, each with its layer and path', () => {
    const expected = expectedUnowned();
    expect(lang(report).map(key).sort()).toEqual(expected.map(key).sort());
    for (const e of expected) {
      const p = lang(report).find((q) => key(q) === key(e)) as JsonPackage;
      expect(p.layer, key(e)).toBe(diffIdOfLayer(e.layer));
      expect(p.paths, key(e)).toContain(e.path);
      expect(p.ownedBy).toBeNull();
      expect(p.purl).toMatch(/^pkg:(golang|npm)\//);
    }
  });

  it("esbuild's Go module, golang.org/x/sys and the Go toolchain as stdlib 1.20.12; @esbuild/linux-x64 0.19.12", () => {
    const keys = lang(report).map(key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'Go github.com/evanw/esbuild (devel)',
        'Go golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8',
        'Go stdlib 1.20.12',
        'npm @esbuild/linux-x64 0.19.12',
      ]),
    );
  });

  it('demo-app 2.0.0 from the top layer; 1.0.0, hidden by the opaque whiteout, is absent', () => {
    const demo = report.packages.filter((p) => p.name === 'demo-app');
    expect(demo.map((p) => p.version)).toEqual(['2.0.0']);
    expect(demo[0]?.layer).toBe(diffIdOfLayer(3));
    expect(demo[0]?.paths).toEqual(['opt/app/package.json']);
  });

  it('Debian-owned language packages (PyYAML, inherits, commons-lang3, the umoci binary) are not listed by default', () => {
    const names = report.packages.map((p) => `${p.ecosystem} ${p.name}`);
    for (const n of ['PyPI PyYAML', 'npm inherits', 'Maven org.apache.commons:commons-lang3']) expect(names).not.toContain(n);
    expect(report.packages.filter((p) => p.paths.includes('usr/bin/umoci'))).toEqual([]);
    expect(report.packages.filter((p) => p.ownedBy !== null)).toEqual([]);
    // No gemspec of the image is outside dpkg either.
    expect(report.packages.filter((p) => p.ecosystem === 'RubyGems')).toEqual([]);
  });
});

describe('--keep-os-owned', () => {
  it('adds the Debian-owned language packages, each with ownedBy naming its Debian package', () => {
    const owned = (ecosystem: string, name: string) => kept.packages.find((p) => p.ecosystem === ecosystem && p.name === name && p.ownedBy !== null);
    expect(owned('PyPI', 'PyYAML')).toMatchObject({ version: '6.0', ownedBy: { name: 'python3-yaml', ecosystem: 'Debian:12' } });
    expect(owned('npm', 'inherits')).toMatchObject({ version: '2.0.4', ownedBy: { name: 'node-inherits', ecosystem: 'Debian:12' } });
    expect(owned('Maven', 'org.apache.commons:commons-lang3')).toMatchObject({
      version: '3.12.0',
      ownedBy: { name: 'libcommons-lang3-java', ecosystem: 'Debian:12' },
    });
    // Debian's umoci is a GOPATH build: only the toolchain is known.
    const umoci = kept.packages.filter((p) => p.paths.includes('usr/bin/umoci'));
    expect(umoci.map((p) => ({ key: key(p), ownedBy: p.ownedBy }))).toEqual([{ key: 'Go stdlib 1.19.8', ownedBy: { name: 'umoci', ecosystem: 'Debian:12' } }]);
  });

  it('every ownedBy names a dpkg package of the image; everything from the default run is still there, unowned', () => {
    const dpkgNames = new Set(dpkgQuery().map((r) => r.name));
    for (const p of kept.packages.filter((q) => q.ownedBy !== null)) {
      expect(p.kind).toBe('lang');
      expect(dpkgNames.has(p.ownedBy?.name as string), `${key(p)} ownedBy ${p.ownedBy?.name}`).toBe(true);
    }
    const unowned = kept.packages.filter((p) => p.ownedBy === null).map(key).sort();
    expect(unowned).toEqual(report.packages.map(key).sort());
    // Every gemspec of the image belongs to a Debian ruby package (none when built with WITH_RUBY=0).
    const gems = ecosystemEvidence()
      .filter((e) => e.kind === 'gem')
      .map((e) => /^(.*)-(\d[^-]*)$/.exec(e.detail))
      .map((m) => `RubyGems ${m?.[1]} ${m?.[2]}`);
    const keptGems = kept.packages.filter((p) => p.ecosystem === 'RubyGems' && p.ownedBy !== null).map(key);
    expect(keptGems).toEqual(expect.arrayContaining([...new Set(gems)]));
  });
});
