/**
 * The per-layer analysis cache as a user sees it. The proof that a layer was
 * not read is the registry's own access log: a warm scan of the Debian test
 * image from the loopback docker-registry GETs no layer blob; a second image
 * sharing the base layers (built here: the real layers plus one small layer,
 * pushed with skopeo) GETs only its new layer; --no-cache GETs every layer;
 * `strata cache clean` empties the cache; two scans at once into one cache
 * directory both succeed and leave only complete entries. For local layouts,
 * a warm scan hashes the layer blobs (a cached answer stands only for the
 * bytes it was made from) and fails on overwritten ones; a damaged layer or
 * inventory entry is a miss.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import { type JsonReport, layerRows, layoutLayers } from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';
import { copyOciLayout, gzipLayer, packTar, stackOnLayout, writeOciLayout } from '../support/oci-build.js';
import { type CliTestRegistry, startCliRegistry } from '../support/registry.js';

let work: string;
let registry: CliTestRegistry;
let debianRef: string;
let derivedRef: string;
let extraLayer: { digest: string; diffId: string };
const layerDigests = () => layerRows().map((l) => l.digest);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-cache-'));
  registry = await startCliRegistry({ push: [debianImage().ociLayout] });
  debianRef = `${registry.host}/test/debian:12`;
  // A second image: the Debian image's three layers plus a small one with an npm package.
  const extra = gzipLayer(
    await packTar([
      { name: 'opt/', type: 'directory' },
      { name: 'opt/extra/', type: 'directory' },
      { name: 'opt/extra/package.json', content: JSON.stringify({ name: 'extra-tool', version: '3.1.4' }) },
    ]),
    { createdBy: 'COPY extra/ /opt/extra/' },
  );
  const derived = stackOnLayout(debianImage().ociLayout, path.join(work, 'derived'), [extra], 'derived');
  extraLayer = { digest: derived.layerDigests[3] as string, diffId: extra.diffId };
  await registry.push(derived.dir, 'derived', 'test/derived', '1');
  derivedRef = `${registry.host}/test/derived:1`;
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function scanRef(ref: string, cacheArgs: string[]): Promise<{ report: JsonReport; gets: Map<string, number> }> {
  const since = await registry.mark();
  const run = await runStrata(['image', ref, ...noDb(work), ...cacheArgs]);
  const report = okJson<JsonReport>(run);
  return { report, gets: await registry.blobGets(since) };
}

/** How often each of `digests` was fetched. */
const fetched = (gets: Map<string, number>, digests: string[]) => digests.map((d) => gets.get(d) ?? 0);
const entries = (cache: string) => readdirSync(path.join(cache, 'layers')).sort();
const comparable = (r: JsonReport) => JSON.stringify({ os: r.os, packages: r.packages, layers: r.layers, artifact: r.artifact });

describe('layer cache against the registry', () => {
  const cache = () => path.join(work, 'cache');
  let cold: JsonReport;

  it('a cold scan fetches every layer blob once and caches one entry per layer', async () => {
    const { report, gets } = await scanRef(debianRef, ['--cache-dir', cache()]);
    expect(fetched(gets, layerDigests())).toEqual([1, 1, 1]);
    expect(entries(cache())).toHaveLength(3);
    cold = report;
  });

  it('a warm scan with the same --cache-dir fetches no layer blob and reports the same', async () => {
    const { report, gets } = await scanRef(debianRef, ['--cache-dir', cache()]);
    expect(fetched(gets, layerDigests())).toEqual([0, 0, 0]);
    expect(comparable(report)).toBe(comparable(cold));
  });

  it('a different image sharing the base layers fetches only its own new layer', async () => {
    const { report, gets } = await scanRef(derivedRef, ['--cache-dir', cache()]);
    expect(fetched(gets, layerDigests())).toEqual([0, 0, 0]);
    expect(gets.get(extraLayer.digest)).toBe(1);
    expect(report.layers.map((l) => l.diffId)).toEqual([...layerRows().map((l) => l.diffId), extraLayer.diffId]);
    expect(report.layers[3]?.createdBy).toBe('COPY extra/ /opt/extra/');
    const extra = report.packages.filter((p) => p.name === 'extra-tool');
    expect(extra.map((p) => [p.version, p.layer, p.paths])).toEqual([['3.1.4', extraLayer.diffId, ['opt/extra/package.json']]]);
    // Everything else is the base image's, with the base image's provenance.
    expect(report.packages.filter((p) => p.name !== 'extra-tool')).toEqual(cold.packages);
    expect(entries(cache())).toHaveLength(4);
  });

  it('--no-cache fetches every layer again and leaves the cache as it was', async () => {
    const before = entries(cache()).map((f) => [f, statSync(path.join(cache(), 'layers', f)).mtimeMs]);
    const { report, gets } = await scanRef(debianRef, ['--cache-dir', cache(), '--no-cache']);
    expect(fetched(gets, layerDigests())).toEqual([1, 1, 1]);
    expect(comparable(report)).toBe(comparable(cold));
    expect(entries(cache()).map((f) => [f, statSync(path.join(cache(), 'layers', f)).mtimeMs])).toEqual(before);
  });

  it('strata cache clean empties it; the next scan fetches every layer again', async () => {
    const run = await runStrata(['cache', 'clean', '--cache-dir', cache()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/removed 4 cached layer analyses/);
    expect(entries(cache())).toEqual([]);
    const { gets } = await scanRef(debianRef, ['--cache-dir', cache()]);
    expect(fetched(gets, layerDigests())).toEqual([1, 1, 1]);
  });

  it('two scans at once into one empty cache dir both succeed and leave a valid cache', async () => {
    const shared = path.join(work, 'shared-cache');
    const since = await registry.mark();
    const runs = await Promise.all([debianRef, derivedRef].map((ref) => runStrata(['image', ref, ...noDb(work), '--cache-dir', shared])));
    const [a, b] = runs.map((r) => okJson<JsonReport>(r)) as [JsonReport, JsonReport];
    expect(comparable(a)).toBe(comparable(cold));
    expect(b.packages.filter((p) => p.name !== 'extra-tool')).toEqual(cold.packages);
    // Both processes read the shared layers (neither could know of the other), so each was fetched twice.
    expect(fetched(await registry.blobGets(since), layerDigests())).toEqual([2, 2, 2]);
    // Only complete entries: no temp files, every entry parses and names its layer.
    const files = entries(shared);
    expect(files).toHaveLength(4);
    expect(files.every((f) => /^[0-9a-f]{64}\.json$/.test(f))).toBe(true);
    const diffIds = files.map((f) => (JSON.parse(readFileSync(path.join(shared, 'layers', f), 'utf8')) as { diffId: string }).diffId).sort();
    expect(diffIds).toEqual([...layerRows().map((l) => l.diffId), extraLayer.diffId].sort());
    // And the cache they left serves a warm scan of each.
    for (const ref of [debianRef, derivedRef]) {
      const { gets } = await scanRef(ref, ['--cache-dir', shared]);
      expect([...gets.keys()].filter((d) => layerDigests().includes(d) || d === extraLayer.digest)).toEqual([]);
    }
  });
});

describe('layer cache with local inputs', () => {
  it('a warm scan of an OCI layout hashes its layer blobs: overwritten ones fail on the digest, as a cold scan does', async () => {
    const layout = path.join(work, 'layout-copy');
    const layers = layoutLayers(debianImage().ociLayout);
    copyOciLayout(debianImage().ociLayout, layout, layers.map((l) => l.digest));
    const cache = path.join(work, 'local-cache');
    const first = okJson<JsonReport>(await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', cache]));
    const warm = okJson<JsonReport>(await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', cache]));
    expect(comparable(warm)).toBe(comparable(first));
    // Same size, different bytes: the cache has an answer for these digests, but these bytes are not them.
    const victim = layers[0] as { digest: string; size: number };
    writeFileSync(path.join(layout, 'blobs', 'sha256', victim.digest.slice(7)), Buffer.alloc(victim.size));
    for (const cacheArgs of [['--cache-dir', cache], ['--no-cache']]) {
      expectCleanError(await runStrata(['image', '--input', layout, ...noDb(work), ...cacheArgs]), { mentions: [layout, victim.digest], matches: /digest mismatch/ });
    }
  });

  /** A three-layer layout of small, different layers (an npm package each). */
  async function smallLayout(name: string): Promise<string> {
    const dir = path.join(work, name);
    const layers = [];
    for (const n of [1, 2, 3]) {
      layers.push(
        gzipLayer(await packTar([{ name: `opt/p${n}/`, type: 'directory' }, { name: `opt/p${n}/package.json`, content: `{"name":"p${n}","version":"${n}.0.0"}` }])),
      );
    }
    writeOciLayout(dir, layers);
    return dir;
  }

  it('a damaged cache entry is a miss: that layer is read again and the entry rewritten', async () => {
    const layout = await smallLayout('small-damaged-entry');
    const cache = path.join(work, 'damaged-entry-cache');
    const first = okJson<JsonReport>(await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', cache]));
    const [victim, ...rest] = entries(cache) as [string, ...string[]];
    const victimFile = path.join(cache, 'layers', victim);
    const diffId = (JSON.parse(readFileSync(victimFile, 'utf8')) as { diffId: string }).diffId;
    writeFileSync(victimFile, readFileSync(victimFile, 'utf8').slice(0, 40)); // cut mid-JSON, as a crash would
    // The image's assembled inventory is cached too: damage it the same way, so the layers are looked at again.
    const [inventory] = readdirSync(path.join(cache, 'inventories')) as [string];
    const inventoryFile = path.join(cache, 'inventories', inventory);
    writeFileSync(inventoryFile, readFileSync(inventoryFile, 'utf8').slice(0, 40));
    const run = await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', cache, '--debug']);
    const second = okJson<JsonReport>(run);
    expect(comparable(second)).toBe(comparable(first));
    const digestOf = (d: string) => second.layers.find((l) => l.diffId === d)?.digest as string;
    expect(run.stderr).toMatch(new RegExp(`layer ${digestOf(diffId)}: gzip, \\d+ → \\d+ bytes`));
    expect(run.stderr.match(/analysis from cache/g)).toHaveLength(rest.length);
    expect((JSON.parse(readFileSync(victimFile, 'utf8')) as { diffId: string }).diffId).toBe(diffId);
    expect(run.stderr).not.toMatch(/inventory from cache/);
    // Rewritten too: the next scan takes the whole inventory from the cache, and reports the same.
    const third = await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', cache, '--debug']);
    expect(comparable(okJson<JsonReport>(third))).toBe(comparable(first));
    expect(third.stderr).toMatch(/inventory from cache/);
    expect(third.stderr).not.toMatch(/analysis from cache|gzip, \d+ → /);
  });

  it('an unusable cache directory is one warning, and the scan goes on', async () => {
    const layout = await smallLayout('small-unusable-cache');
    const notADir = path.join(work, 'not-a-directory');
    writeFileSync(notADir, 'a file where the cache directory should be\n');
    const run = await runStrata(['image', '--input', layout, ...noDb(work), '--cache-dir', notADir]);
    const report = okJson<JsonReport>(run);
    expect(report.packages.map((p) => p.name).sort()).toEqual(['p1', 'p2', 'p3']);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning: could not write the layer cache'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(notADir);
  });

  it('without --cache-dir the cache is $XDG_CACHE_HOME/strata, and `strata cache clean` clears it', async () => {
    const xdg = path.join(work, 'xdg');
    const layout = path.join(work, 'tiny');
    writeOciLayout(layout, [gzipLayer(await packTar([{ name: 'opt/', type: 'directory' }, { name: 'opt/package.json', content: '{"name":"tiny","version":"1.0.0"}' }]))]);
    const env = { XDG_CACHE_HOME: xdg };
    okJson(await runStrata(['image', '--input', layout, ...noDb(work)], { env }));
    expect(readdirSync(path.join(xdg, 'strata', 'layers'))).toHaveLength(1);
    const clean = await runStrata(['cache', 'clean'], { env });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`removed 1 cached layer analyses`);
    expect(clean.stdout).toContain(path.join(xdg, 'strata'));
    expect(readdirSync(path.join(xdg, 'strata', 'layers'))).toEqual([]);
  });
});
