/**
 * Builds small OCI image layouts (and docker-archives) by hand for
 * end-to-end tests: real tar streams from tar-stream's packer, compressed
 * with node:zlib or the zstd program, wrapped in a config, a manifest and an
 * index.json — with correct digests unless a test asks for a wrong one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { packTar, type PackEntry as TarEntry } from '../../src/layer/testing/fixtures.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

// Tars are written by the layer tests' helper (tar-stream's packer writes names as given: `../x`, `/etc/x` included).
export { packTar, type TarEntry };

/** One layer: the blob as stored, its diffID, and how the manifest describes it. */
export interface BuiltLayer {
  blob: Buffer;
  diffId: string;
  mediaType: string;
  /** Written into the manifest instead of the blob's real digest (a tampered manifest). */
  digest?: string;
  /** Written into the manifest instead of the blob's real size. */
  size?: number;
  createdBy?: string;
}

export function gzipLayer(tar: Buffer, extra: Partial<BuiltLayer> = {}): BuiltLayer {
  return { blob: gzipSync(tar), diffId: sha256(tar), mediaType: OCI_LAYER_GZIP, ...extra };
}

/** zstd-compressed by the zstd program (an independent writer). */
export function zstdLayer(tar: Buffer, extra: Partial<BuiltLayer> = {}): BuiltLayer {
  const blob = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
  return { blob, diffId: sha256(tar), mediaType: OCI_LAYER_ZSTD, ...extra };
}

export function plainLayer(tar: Buffer, extra: Partial<BuiltLayer> = {}): BuiltLayer {
  return { blob: tar, diffId: sha256(tar), mediaType: OCI_LAYER_TAR, ...extra };
}

export interface LayoutOptions {
  /** `org.opencontainers.image.ref.name` of the image (default "1"). */
  tag?: string;
  architecture?: string;
  os?: string;
  /** Replaces the manifest JSON written (e.g. a schema-1 manifest). */
  manifest?: Record<string, unknown>;
}

export interface BuiltLayout {
  dir: string;
  manifestDigest: string;
  configDigest: string;
  layerDigests: string[];
}

function writeBlob(dir: string, bytes: Buffer): string {
  const digest = sha256(bytes);
  const file = path.join(dir, 'blobs', 'sha256', digest.slice(7));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return digest;
}

/** Writes an OCI image layout with one image made of `layers`, bottom first. */
export function writeOciLayout(dir: string, layers: BuiltLayer[], options: LayoutOptions = {}): BuiltLayout {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: options.os ?? 'linux',
      created: '2024-01-01T00:00:00Z',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l, i) => ({ created: '2024-01-01T00:00:00Z', created_by: l.createdBy ?? `test layer ${i + 1}` })),
    }),
  );
  const configDigest = writeBlob(dir, config);
  const descriptors = layers.map((l) => {
    const real = writeBlob(dir, l.blob);
    return { mediaType: l.mediaType, digest: l.digest ?? real, size: l.size ?? l.blob.length };
  });
  const manifest = Buffer.from(
    JSON.stringify(
      options.manifest ?? {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
        layers: descriptors,
      },
    ),
  );
  const manifestDigest = writeBlob(dir, manifest);
  const mediaType = typeof options.manifest?.mediaType === 'string' ? options.manifest.mediaType : OCI_MANIFEST;
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType, digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': options.tag ?? '1' } }],
    }),
  );
  return { dir, manifestDigest, configDigest, layerDigests: descriptors.map((d) => d.digest) };
}

/**
 * Copies an OCI layout: blobs named in `copy` (by digest) are real copies a
 * test may damage; the others are hard links when the file system allows
 * (fast for the 100 MB test image), copies otherwise.
 */
export function copyOciLayout(src: string, dst: string, copy: readonly string[] = []): void {
  mkdirSync(path.join(dst, 'blobs', 'sha256'), { recursive: true });
  copyFileSync(path.join(src, 'oci-layout'), path.join(dst, 'oci-layout'));
  copyFileSync(path.join(src, 'index.json'), path.join(dst, 'index.json'));
  const real = new Set(copy.map((d) => d.replace(/^sha256:/, '')));
  for (const name of readdirSync(path.join(src, 'blobs', 'sha256'))) {
    const from = path.join(src, 'blobs', 'sha256', name);
    const to = path.join(dst, 'blobs', 'sha256', name);
    if (real.has(name)) {
      copyFileSync(from, to);
      continue;
    }
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  }
}

interface ManifestJson {
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
}

interface ConfigJson {
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean }>;
  [key: string]: unknown;
}

/**
 * A second image on top of an existing single-image layout: its layers plus
 * `extra` (config diff_ids and history extended), written into the layout
 * `dst` (a copy of `src`) as the only image, tagged `tag`.
 */
export function stackOnLayout(src: string, dst: string, extra: BuiltLayer[], tag: string): BuiltLayout {
  copyOciLayout(src, dst);
  const index = JSON.parse(readFileSync(path.join(src, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const baseDigest = (index.manifests[0] as { digest: string }).digest;
  const blob = (d: string) => readFileSync(path.join(src, 'blobs', 'sha256', d.slice(7)));
  const manifest = JSON.parse(blob(baseDigest).toString()) as ManifestJson;
  const config = JSON.parse(blob(manifest.config.digest).toString()) as ConfigJson;
  config.rootfs.diff_ids.push(...extra.map((l) => l.diffId));
  config.history = [...(config.history ?? []), ...extra.map((l, i) => ({ created: '2024-01-02T00:00:00Z', created_by: l.createdBy ?? `extra layer ${i + 1}` }))];
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDigest = writeBlob(dst, configBytes);
  const layers = [...manifest.layers, ...extra.map((l) => ({ mediaType: l.mediaType, digest: writeBlob(dst, l.blob), size: l.blob.length }))];
  const newManifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { ...manifest.config, digest: configDigest, size: configBytes.length }, layers }),
  );
  const manifestDigest = writeBlob(dst, newManifest);
  writeFileSync(
    path.join(dst, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: manifestDigest, size: newManifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { dir: dst, manifestDigest, configDigest, layerDigests: layers.map((l) => l.digest) };
}

/**
 * A docker-archive (`docker save` layout: manifest.json, config, one
 * uncompressed or compressed tar per layer) written with tar-stream.
 */
export async function writeDockerArchive(file: string, layers: BuiltLayer[], repoTag = 'test/image:1'): Promise<void> {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l, i) => ({ created_by: l.createdBy ?? `test layer ${i + 1}` })),
    }),
  );
  const configName = `${sha256(config).slice(7)}.json`;
  const layerNames = layers.map((l) => `${sha256(l.blob).slice(7)}/layer.tar`);
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]);
  const entries: TarEntry[] = [
    { name: configName, content: config },
    ...layers.map((l, i) => ({ name: layerNames[i] as string, content: l.blob })),
    { name: 'manifest.json', content: manifest },
  ];
  writeFileSync(file, await packTar(entries));
}
