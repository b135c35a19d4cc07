/**
 * The oracle files build-debian-image.sh writes next to the Debian test
 * image (rootfs-expected/, see ../shared/data/images/README.md), read into
 * plain rows, and the JSON report types the CLI tests compare them with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonCombinedReport, JsonReport } from '../../src/report/index.js';
import { debianImage } from './images.js';

export type { JsonCombinedReport, JsonReport };
export type JsonPackage = JsonReport['packages'][number];

function tsv(name: string): string[][] {
  const text = readFileSync(path.join(debianImage().expected, name), 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

export interface DpkgRow {
  name: string;
  version: string;
  sourceName: string;
  sourceVersion: string;
  arch: string;
}

/** `dpkg-query -W` of the final image: name, version, source, source version, arch. */
export function dpkgQuery(): DpkgRow[] {
  return tsv('dpkg-query.tsv').map(([name = '', version = '', sourceName = '', sourceVersion = '', arch = '']) => ({
    name,
    version,
    sourceName,
    sourceVersion,
    arch,
  }));
}

/** Package name → 1-based index of the first layer whose dpkg database lists it (package-layers.tsv). */
export function packageFirstLayers(): Map<string, number> {
  const [header, ...rows] = tsv('package-layers.tsv');
  const col = (header ?? []).indexOf('first_layer');
  return new Map(rows.map((r) => [r[0] as string, Number(r[col])]));
}

export interface LayerRow {
  index: number;
  diffId: string;
  digest: string;
  size: number;
  createdBy: string;
}

/** layers.tsv: layer index (1-based), diff_id, blob digest, blob size, history created_by. */
export function layerRows(): LayerRow[] {
  return tsv('layers.tsv')
    .slice(1)
    .map(([index = '', diffId = '', digest = '', size = '', createdBy = '']) => ({ index: Number(index), diffId, digest, size: Number(size), createdBy }));
}

export interface EvidenceRow {
  kind: string;
  path: string;
  detail: string;
}

/** ecosystem-evidence.tsv: the non-dpkg evidence in the final file system. */
export function ecosystemEvidence(): EvidenceRow[] {
  return tsv('ecosystem-evidence.tsv')
    .slice(1)
    .map(([kind = '', p = '', detail = '']) => ({ kind, path: p, detail }));
}

/** The manifest descriptor in an OCI layout's index.json. */
export function layoutIndexDigest(dir: string): string {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  return (index.manifests[0] as { digest: string }).digest;
}

/** Layer blob digests and media types of an OCI layout's (only) image. */
export function layoutLayers(dir: string): Array<{ digest: string; size: number; mediaType: string }> {
  const blob = (d: string) => readFileSync(path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length)), 'utf8');
  const manifest = JSON.parse(blob(layoutIndexDigest(dir))) as { layers: Array<{ digest: string; size: number; mediaType: string }> };
  return manifest.layers;
}

/** Name, version and ecosystem of each package, sorted: what two scans of the same image must agree on. */
export function packageKeys(packages: readonly JsonPackage[]): string[] {
  return packages.map((p) => `${p.ecosystem} ${p.name} ${p.version}`).sort();
}

export function isCombined(report: JsonReport | JsonCombinedReport): report is JsonCombinedReport {
  return Array.isArray((report as JsonCombinedReport).results);
}
