/**
 * `strata image` on every kind of input, run as a user runs it (bin/strata.js
 * over dist/), on the real Debian test image: a loopback docker-registry
 * (gzip and zstd tags), skopeo's docker-archive, the OCI layout (DIR and
 * DIR:TAG), an OCI archive, several images in one command (one combined JSON
 * document, or one file each with --output-dir), a multi-platform layout and
 * `strata rootfs` on an `umoci unpack` of the image. The report's artifact and
 * layers are checked against the build's oracle files, every JSON document
 * against docs/report.schema.json (closed: no undocumented keys).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorsOf, jsonReportValidator } from '../../src/report/testing/validators.js';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import {
  dpkgQuery,
  isCombined,
  type JsonCombinedReport,
  type JsonReport,
  layerRows,
  layoutIndexDigest,
  layoutLayers,
  packageKeys,
} from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';
import { copyOciLayout, OCI_INDEX, OCI_MANIFEST, sha256 } from '../support/oci-build.js';
import { type CliTestRegistry, startCliRegistry } from '../support/registry.js';

const validate = jsonReportValidator(true);
let work: string;
let registry: CliTestRegistry;
/** The scan of the OCI layout directory, whose packages every other input must reproduce. */
let layoutReport: JsonReport;
let reference: string[];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-sources-'));
  registry = await startCliRegistry({ push: [debianImage().ociLayout, debianImage().ociZstdLayout] });
  // Cold (a fresh cache dir), and it leaves the cache warm for the tests that are not about reading layers.
  layoutReport = await scan(['--input', debianImage().ociLayout], ['--cache-dir', path.join(work, 'cache')]);
  reference = packageKeys(layoutReport.packages);
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function schemaValid(doc: unknown): void {
  expect(validate(doc), errorsOf(validate)).toBe(true);
}

async function scan(args: string[], extra: string[] = ['--no-cache']): Promise<JsonReport> {
  const run = await runStrata(['image', ...args, ...noDb(work), ...extra]);
  const doc = okJson<JsonReport | JsonCombinedReport>(run);
  schemaValid(doc);
  expect(isCombined(doc)).toBe(false);
  // Off a terminal the only thing on stderr is the warning that no database was used.
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: no vulnerability database at /)]);
  return doc as JsonReport;
}

/** What issue 3 puts in `layers[]`, from layers.tsv, with blob digests and media types of `layout`. */
function expectedLayers(layout: string, mediaType: string) {
  const blobs = layoutLayers(layout);
  return layerRows().map((row, i) => ({
    index: i,
    diffId: row.diffId,
    digest: blobs[i]?.digest,
    size: blobs[i]?.size,
    mediaType,
    createdBy: row.createdBy,
  }));
}

function expectArtifact(report: JsonReport, name: string, source: string, layout: string): void {
  expect(report.artifact).toMatchObject({
    name,
    type: 'container_image',
    source,
    digest: layoutIndexDigest(layout),
    configDigest: configDigest(),
    platform: { os: 'linux', architecture: 'amd64' },
  });
}

function configDigest(): string {
  const manifest = JSON.parse(
    readFileSync(path.join(debianImage().ociLayout, 'blobs', 'sha256', layoutIndexDigest(debianImage().ociLayout).slice(7)), 'utf8'),
  ) as { config: { digest: string } };
  return manifest.config.digest;
}

function dpkgCount(report: JsonReport): number {
  return report.packages.filter((p) => p.foundBy === 'dpkg').length;
}

describe('one image per command', () => {
  it('an OCI layout directory: manifest digest from index.json, config, platform, layers as layers.tsv', () => {
    const dir = debianImage().ociLayout;
    const report = layoutReport;
    expectArtifact(report, dir, 'oci-layout', dir);
    expect(report.artifact.repoTags).toEqual(['12']);
    expect(report.layers).toEqual(expectedLayers(dir, 'application/vnd.oci.image.layer.v1.tar+gzip'));
    // layers.tsv's blob digests and sizes are the gzip layout's own.
    expect(report.layers.map((l) => [l.digest, l.size])).toEqual(layerRows().map((r) => [r.digest, r.size]));
    expect(report.os).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12' });
    expect(dpkgCount(report)).toBe(dpkgQuery().length);
  });

  it('an OCI layout directory with a tag (DIR:12)', async () => {
    const dir = debianImage().ociLayout;
    const report = await scan(['--input', `${dir}:12`]);
    expectArtifact(report, `${dir}:12`, 'oci-layout', dir);
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it('an OCI archive (tar of the layout)', async () => {
    const archive = path.join(work, 'debian-oci.tar');
    execFileSync('tar', ['-C', debianImage().ociLayout, '-cf', archive, '.']);
    const report = await scan(['--input', archive]);
    expectArtifact(report, archive, 'oci-archive', debianImage().ociLayout);
    expect(report.layers).toEqual(expectedLayers(debianImage().ociLayout, 'application/vnd.oci.image.layer.v1.tar+gzip'));
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it('a docker-archive (docker save / skopeo): config digest, repo tag, uncompressed layers named by diffID', async () => {
    const file = debianImage().dockerArchive;
    const report = await scan(['--input', file]);
    expect(report.artifact).toMatchObject({
      name: file,
      type: 'container_image',
      source: 'docker-archive',
      configDigest: configDigest(),
      platform: { os: 'linux', architecture: 'amd64' },
      repoTags: ['docker.io/test/debian:12'],
    });
    expect(report.layers.map((l) => ({ diffId: l.diffId, createdBy: l.createdBy }))).toEqual(layerRows().map((r) => ({ diffId: r.diffId, createdBy: r.createdBy })));
    // docker save stores layers uncompressed: the blob is the tar, so its digest is the diffID.
    for (const l of report.layers) expect(l.digest).toBe(l.diffId);
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it('a registry reference (gzip tag): manifest digest as the registry serves it', async () => {
    const ref = `${registry.host}/test/debian:12`;
    const report = await scan([ref]);
    expectArtifact(report, ref, 'registry', debianImage().ociLayout);
    expect(report.layers).toEqual(expectedLayers(debianImage().ociLayout, 'application/vnd.oci.image.layer.v1.tar+gzip'));
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it('a registry reference (zstd tag): zstd blobs, the same diffIDs and packages', async () => {
    const ref = `${registry.host}/test/debian:12-zstd`;
    const zstd = debianImage().ociZstdLayout;
    const report = await scan([ref]);
    expectArtifact(report, ref, 'registry', zstd);
    expect(report.layers).toEqual(expectedLayers(zstd, 'application/vnd.oci.image.layer.v1.tar+zstd'));
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it('a registry reference by digest', async () => {
    const digest = layoutIndexDigest(debianImage().ociLayout);
    const report = await scan([`${registry.host}/test/debian@${digest}`], ['--cache-dir', path.join(work, 'cache')]);
    expect(report.artifact.digest).toBe(digest);
    expect(packageKeys(report.packages)).toEqual(reference);
  });
});

describe('several images in one command', () => {
  const inputs = () => ({
    ref: `${registry.host}/test/debian:12-zstd`,
    archive: debianImage().dockerArchive,
    layout: `${debianImage().ociLayout}:12`,
  });

  it('one combined JSON document with results[], each image right', async () => {
    const { ref, archive, layout } = inputs();
    const run = await runStrata(['image', ref, '--input', archive, '--input', layout, ...noDb(work), '--no-cache']);
    const doc = okJson<JsonCombinedReport>(run);
    schemaValid(doc);
    expect(isCombined(doc)).toBe(true);
    const byName = new Map(doc.results.map((r) => [r.artifact.name, r]));
    expect([...byName.keys()].sort()).toEqual([ref, archive, layout].sort());
    expect(byName.get(ref)?.artifact).toMatchObject({ source: 'registry', digest: layoutIndexDigest(debianImage().ociZstdLayout) });
    expect(byName.get(archive)?.artifact).toMatchObject({ source: 'docker-archive', repoTags: ['docker.io/test/debian:12'] });
    expect(byName.get(layout)?.artifact).toMatchObject({ source: 'oci-layout', digest: layoutIndexDigest(debianImage().ociLayout) });
    for (const r of doc.results) {
      expect(r.layers.map((l) => l.diffId)).toEqual(layerRows().map((l) => l.diffId));
      expect(packageKeys(r.packages)).toEqual(reference);
    }
  });

  it('--output-dir writes one report file per image and nothing to stdout', async () => {
    const { ref, archive, layout } = inputs();
    const out = path.join(work, 'reports');
    const run = await runStrata(['image', ref, '--input', archive, '--input', layout, ...noDb(work), '--cache-dir', path.join(work, 'cache'), '--output-dir', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.leftInTmp).toEqual([]);
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(3);
    expect(files.every((f) => f.endsWith('.json'))).toBe(true);
    const names = files.map((f) => {
      const doc = JSON.parse(readFileSync(path.join(out, f), 'utf8')) as JsonReport;
      schemaValid(doc);
      expect(isCombined(doc)).toBe(false);
      expect(packageKeys(doc.packages)).toEqual(reference);
      return doc.artifact.name;
    });
    expect(names.sort()).toEqual([ref, archive, layout].sort());
  });
});

describe('several images, one of them damaged', () => {
  let damaged: string;
  let baseDigest: string;

  beforeAll(() => {
    // A copy of the layout whose base layer blob fails its digest check after being read whole
    // (gzip MTIME flipped: the data still inflates, only the digest can tell).
    damaged = path.join(work, 'damaged-layout');
    baseDigest = layerRows()[0]?.digest as string;
    copyOciLayout(debianImage().ociLayout, damaged, [baseDigest]);
    const file = path.join(damaged, 'blobs', 'sha256', baseDigest.slice(7));
    const bytes = readFileSync(file);
    bytes[4] = (bytes[4] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);
  });

  it('a good image sharing its layers is still scanned and reported; an error can only name the damaged one', async () => {
    // Which image starts reading a shared layer first is a race. If the damaged copy is read first, it fails
    // (exit 2) and the good image reads its own copy; if the good one is read first, the damaged image gets the
    // verified analysis of that diffID without reading its blob, as from the layer cache, and both succeed.
    // Either way the good image is reported right and never blamed (src/scan/inventory.test.ts pins each order).
    const good = `${registry.host}/test/debian:12`;
    const run = await runStrata(['image', '--input', damaged, good, ...noDb(work), '--no-cache']);
    expect(run.leftInTmp).toEqual([]);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('strata: error: '));
    expect(errors.filter((l) => !l.startsWith(`strata: error: image ${damaged}, layer ${baseDigest}: layer blob digest mismatch`))).toEqual([]);
    expect(run.code, run.stderr).toBe(errors.length ? 2 : 0);
    const doc = JSON.parse(run.stdout) as JsonReport | JsonCombinedReport;
    schemaValid(doc);
    const results = isCombined(doc) ? doc.results : [doc];
    const goodResult = results.find((r) => r.artifact.name === good);
    expect(goodResult?.artifact.digest).toBe(layoutIndexDigest(debianImage().ociLayout));
    expect(packageKeys(goodResult?.packages ?? [])).toEqual(reference);
  });

  it('a failed layer stops the image: its other layers are not read', async () => {
    // One layer at a time, bottom first: the damaged base fails, and the two layers queued behind it never start.
    const run = await runStrata(['image', '--input', damaged, ...noDb(work), '--no-cache', '--parallel', '1', '--debug']);
    expectCleanError(
      { ...run, stderr: run.stderr.split('\n').filter((l) => !l.startsWith('[debug')).join('\n') },
      { mentions: [damaged, baseDigest], matches: /digest mismatch/ },
    );
    for (const layer of layerRows().slice(1)) expect(run.stderr).not.toContain(`layer ${layer.digest}: gzip`);
  });
});

describe('multi-platform OCI layout', () => {
  let multi: string;

  beforeAll(() => {
    // The real linux/amd64 manifest plus a linux/arm64 one (same layers, its own config) under one index.
    const src = debianImage().ociLayout;
    multi = path.join(work, 'multi-platform');
    mkdirSync(path.join(multi, 'blobs', 'sha256'), { recursive: true });
    for (const blob of readdirSync(path.join(src, 'blobs', 'sha256'))) {
      symlinkSync(path.join(src, 'blobs', 'sha256', blob), path.join(multi, 'blobs', 'sha256', blob));
    }
    copyFileSync(path.join(src, 'oci-layout'), path.join(multi, 'oci-layout'));
    const realDigest = layoutIndexDigest(src);
    const realBytes = readFileSync(path.join(src, 'blobs', 'sha256', realDigest.slice(7)));
    const manifest = JSON.parse(realBytes.toString()) as { config: { digest: string; size: number } };
    const config = JSON.parse(readFileSync(path.join(src, 'blobs', 'sha256', manifest.config.digest.slice(7)), 'utf8')) as Record<string, unknown>;
    const armConfig = Buffer.from(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' }));
    const armManifest = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha256(armConfig), size: armConfig.length } }));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: sha256(armManifest), size: armManifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          { mediaType: OCI_MANIFEST, digest: realDigest, size: realBytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    );
    for (const blob of [armConfig, armManifest, index]) writeFileSync(path.join(multi, 'blobs', 'sha256', sha256(blob).slice(7)), blob);
    writeFileSync(
      path.join(multi, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: OCI_INDEX, digest: sha256(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }],
      }),
    );
  });

  it('--platform linux/amd64 picks the amd64 manifest', async () => {
    const report = await scan(['--input', multi, '--platform', 'linux/amd64'], ['--cache-dir', path.join(work, 'cache')]);
    expect(report.artifact.digest).toBe(layoutIndexDigest(debianImage().ociLayout));
    expect(report.artifact.platform).toMatchObject({ os: 'linux', architecture: 'amd64' });
    expect(packageKeys(report.packages)).toEqual(reference);
  });

  it("without --platform, the host's platform", async () => {
    const host = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
    if (!host) return; // the index only offers amd64 and arm64
    const report = await scan(['--input', multi], ['--cache-dir', path.join(work, 'cache')]);
    expect(report.artifact.platform?.architecture).toBe(host);
  });

  it('--platform linux/arm64/v8 picks the other one', async () => {
    const report = await scan(['--input', multi, '--platform', 'linux/arm64/v8'], ['--cache-dir', path.join(work, 'cache')]);
    expect(report.artifact.digest).not.toBe(layoutIndexDigest(debianImage().ociLayout));
    expect(report.artifact.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  });

  it('--platform linux/s390x fails clearly, listing what the image has', async () => {
    const run = await runStrata(['image', '--input', multi, '--platform', 'linux/s390x', ...noDb(work)]);
    expectCleanError(run, { mentions: [multi, 'linux/s390x', 'linux/amd64', 'linux/arm64'] });
  });
});

describe('strata rootfs', () => {
  it('an umoci unpack of the image has the same packages as the image', async () => {
    const bundle = path.join(work, 'bundle');
    const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
    execFileSync('umoci', ['unpack', ...rootless, '--image', `${debianImage().ociLayout}:12`, bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
    const rootfs = path.join(bundle, 'rootfs');
    const run = await runStrata(['rootfs', rootfs, ...noDb(work), '--no-cache']);
    const report = okJson<JsonReport>(run);
    schemaValid(report);
    expect(report.artifact).toMatchObject({ name: rootfs, type: 'rootfs', source: 'rootfs' });
    expect(report.os).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12' });
    expect(packageKeys(report.packages)).toEqual(reference);
    expect(dpkgCount(report)).toBe(dpkgQuery().length);
    rmSync(bundle, { recursive: true, force: true });
  });
});
