/**
 * Manifests, indexes and image configs: the media types Strata reads, their
 * validation (clear errors instead of `undefined` later), and the walk from a
 * manifest plus its config to the ordered layer list with `createdBy` lines.
 * Platform matching lives in platform.ts.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { HistoryEntry, ImageConfig, Platform } from '../core/image.js';
import { parseDigest } from './digest.js';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI 1.1 release candidates' artifact manifest (dropped from the final spec, still found in registries). */
  ociArtifactManifest: 'application/vnd.oci.artifact.manifest.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

const MANIFEST_TYPES = new Set<string>([MediaTypes.dockerManifest, MediaTypes.ociManifest]);
const INDEX_TYPES = new Set<string>([MediaTypes.dockerManifestList, MediaTypes.ociIndex]);
const SCHEMA1_TYPES = new Set<string>([MediaTypes.dockerSchema1, MediaTypes.dockerSchema1Signed]);
const IMAGE_CONFIG_TYPES = new Set<string>([MediaTypes.dockerConfig, MediaTypes.ociConfig]);

/** The Accept header for manifest requests: every manifest and index type Strata reads. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
  MediaTypes.ociArtifactManifest,
].join(', ');

/** Manifests, indexes and configs are small JSON documents; anything bigger is refused before parsing. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
export const MAX_LAYERS = 1000;
/** Entries in one index; real multi-platform indexes have a few dozen. */
export const MAX_INDEX_ENTRIES = 10_000;

export function isManifestMediaType(t: string): boolean {
  return MANIFEST_TYPES.has(t);
}
export function isIndexMediaType(t: string): boolean {
  return INDEX_TYPES.has(t);
}

/** A platform as an index records it (OCI adds os.version / os.features for Windows). */
export interface DescriptorPlatform extends Platform {
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: DescriptorPlatform;
  artifactType?: string;
}

export interface ImageManifest {
  kind: 'manifest';
  /** Declared `mediaType`, else the Content-Type, else OCI's (umoci writes no mediaType). */
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ArtifactManifest {
  kind: 'artifact';
  mediaType: string;
  artifactType?: string;
  blobs: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type ManifestDocument = ImageManifest | ImageIndex | ArtifactManifest;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function corrupt(what: string, detail: string, where: ErrorWhere): StrataError {
  return new StrataError('corrupt', `${what}: ${detail}`, where);
}

/** Parses JSON of at most `limit` bytes into an object, with errors that say what the document was. */
export function parseJsonObject(bytes: Uint8Array, what: string, limit: number, where: ErrorWhere): Json {
  if (bytes.length > limit) {
    throw new StrataError('limit', `${what} is ${bytes.length} bytes, more than the ${limit / 1024 / 1024} MiB limit`, where);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch (e) {
    throw corrupt(what, `not valid JSON (${e instanceof Error ? e.message : String(e)})`, where);
  }
  if (!isObject(value)) throw corrupt(what, 'not a JSON object', where);
  return value;
}

function stringMap(v: unknown, what: string, where: ErrorWhere): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw corrupt(what, 'annotations must be an object of strings', where);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw corrupt(what, `annotation "${k}" is not a string`, where);
    out[k] = val;
  }
  return out;
}

function parsePlatformField(v: unknown, what: string, where: ErrorWhere): DescriptorPlatform | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') {
    throw corrupt(what, 'platform needs string "os" and "architecture"', where);
  }
  const p: DescriptorPlatform = { os: v.os, architecture: v.architecture };
  if (typeof v.variant === 'string' && v.variant !== '') p.variant = v.variant;
  if (typeof v['os.version'] === 'string') p['os.version'] = v['os.version'];
  if (Array.isArray(v['os.features'])) p['os.features'] = v['os.features'].filter((f): f is string => typeof f === 'string');
  return p;
}

/** Validates one descriptor; `requireMediaType` is false only where the spec allows it to be missing. */
export function parseDescriptor(v: unknown, what: string, where: ErrorWhere, requireMediaType = true): Descriptor {
  if (!isObject(v)) throw corrupt(what, 'descriptor is not an object', where);
  const { mediaType, digest, size } = v;
  if (typeof digest !== 'string') throw corrupt(what, 'descriptor has no "digest"', where);
  try {
    parseDigest(digest, where);
  } catch (e) {
    throw corrupt(what, e instanceof StrataError ? e.detail : String(e), where);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw corrupt(what, `descriptor ${digest} has no valid "size"`, where);
  }
  if (mediaType !== undefined && typeof mediaType !== 'string') throw corrupt(what, `descriptor ${digest} has a non-string "mediaType"`, where);
  if (requireMediaType && !mediaType) throw corrupt(what, `descriptor ${digest} has no "mediaType"`, where);
  const d: Descriptor = { mediaType: mediaType ?? '', digest, size };
  if (Array.isArray(v.urls)) d.urls = v.urls.filter((u): u is string => typeof u === 'string');
  const annotations = stringMap(v.annotations, what, where);
  if (annotations) d.annotations = annotations;
  const platform = parsePlatformField(v.platform, what, where);
  if (platform) d.platform = platform;
  if (typeof v.artifactType === 'string') d.artifactType = v.artifactType;
  return d;
}

function stripParams(contentType: string | undefined | null): string | undefined {
  if (!contentType) return undefined;
  const t = contentType.split(';')[0]?.trim().toLowerCase();
  return t || undefined;
}

function schema1Error(where: ErrorWhere): StrataError {
  return new StrataError(
    'unsupported',
    'Docker image manifest schema 1 (application/vnd.docker.distribution.manifest.v1+json) is not supported: ' +
      're-push the image with a current Docker, skopeo or crane to convert it to schema 2 or OCI',
    where,
  );
}

/**
 * Parses a manifest or index. The type comes from the document's own
 * `mediaType`, else the response Content-Type, else its shape (umoci writes
 * manifests without `mediaType`).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, where: ErrorWhere = {}): ManifestDocument {
  const json = parseJsonObject(bytes, 'manifest', MAX_MANIFEST_BYTES, where);
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const header = stripParams(contentType);
  if (json.schemaVersion === 1 || (declared && SCHEMA1_TYPES.has(declared)) || (header && SCHEMA1_TYPES.has(header))) {
    throw schema1Error(where);
  }
  let mediaType = declared;
  if (!mediaType && header && (MANIFEST_TYPES.has(header) || INDEX_TYPES.has(header) || header === MediaTypes.ociArtifactManifest)) {
    mediaType = header;
  }
  if (!mediaType) {
    if (Array.isArray(json.manifests)) mediaType = MediaTypes.ociIndex;
    else if (json.config !== undefined && Array.isArray(json.layers)) mediaType = MediaTypes.ociManifest;
    else if (Array.isArray(json.blobs)) mediaType = MediaTypes.ociArtifactManifest;
    else throw new StrataError('unsupported', 'document is neither an image manifest nor an index (no mediaType, no "layers" or "manifests")', where);
  }
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  const subject = json.subject === undefined ? undefined : parseDescriptor(json.subject, 'manifest subject', where);
  const annotations = stringMap(json.annotations, 'manifest', where);
  const extra = { ...(artifactType ? { artifactType } : {}), ...(subject ? { subject } : {}), ...(annotations ? { annotations } : {}) };

  if (MANIFEST_TYPES.has(mediaType)) {
    if (json.schemaVersion !== 2) throw corrupt('manifest', `schemaVersion is ${JSON.stringify(json.schemaVersion)}, expected 2`, where);
    if (!Array.isArray(json.layers)) throw corrupt('manifest', '"layers" is not an array', where);
    if (json.layers.length > MAX_LAYERS) {
      throw new StrataError('limit', `manifest lists ${json.layers.length} layers, more than the limit of ${MAX_LAYERS}`, where);
    }
    const config = parseDescriptor(json.config, 'manifest config', where);
    const layers = json.layers.map((l, i) => parseDescriptor(l, `manifest layer ${i}`, where));
    return { kind: 'manifest', mediaType, config, layers, ...extra };
  }
  if (INDEX_TYPES.has(mediaType)) {
    if (json.schemaVersion !== 2) throw corrupt('index', `schemaVersion is ${JSON.stringify(json.schemaVersion)}, expected 2`, where);
    if (!Array.isArray(json.manifests)) throw corrupt('index', '"manifests" is not an array', where);
    if (json.manifests.length > MAX_INDEX_ENTRIES) {
      throw new StrataError('limit', `index lists ${json.manifests.length} manifests, more than the limit of ${MAX_INDEX_ENTRIES}`, where);
    }
    const manifests = json.manifests.map((m, i) => parseDescriptor(m, `index entry ${i}`, where));
    return { kind: 'index', mediaType, manifests, ...extra };
  }
  if (mediaType === MediaTypes.ociArtifactManifest) {
    const blobs = Array.isArray(json.blobs) ? json.blobs.map((b, i) => parseDescriptor(b, `artifact blob ${i}`, where)) : [];
    return { kind: 'artifact', mediaType, blobs, ...extra };
  }
  throw new StrataError('unsupported', `unsupported manifest media type "${mediaType}"`, where);
}

/** Throws `unsupported` unless the manifest describes a container image (not a Helm chart, signature, SBOM …). */
export function assertContainerImage(manifest: ManifestDocument, where: ErrorWhere): asserts manifest is ImageManifest {
  if (manifest.kind === 'artifact') {
    throw new StrataError('unsupported', `not a container image: an OCI artifact manifest${manifest.artifactType ? ` of type ${manifest.artifactType}` : ''}`, where);
  }
  if (manifest.kind !== 'manifest') throw new StrataError('internal', 'expected an image manifest, got an index', where);
  const configType = manifest.config.mediaType;
  if (configType !== '' && !IMAGE_CONFIG_TYPES.has(configType)) {
    const kind = manifest.artifactType ? `artifact type ${manifest.artifactType}, ` : '';
    throw new StrataError('unsupported', `not a container image: ${kind}config media type ${configType}`, where);
  }
  for (const layer of manifest.layers) {
    if (layer.mediaType.includes('+encrypted')) {
      throw new StrataError('unsupported', `encrypted layers are not supported (${layer.mediaType})`, { ...where, layer: layer.digest });
    }
  }
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v) : undefined;
}

/** Parses and validates an image config (Docker or OCI): rootfs.diff_ids, history, platform fields. */
export function parseImageConfig(bytes: Uint8Array, where: ErrorWhere = {}): ImageConfig {
  const json = parseJsonObject(bytes, 'image config', MAX_CONFIG_BYTES, where);
  const rootfs = json.rootfs;
  if (!isObject(rootfs)) throw corrupt('image config', 'no "rootfs" object', where);
  if (rootfs.type !== 'layers') throw corrupt('image config', `rootfs.type is ${JSON.stringify(rootfs.type)}, expected "layers"`, where);
  const diffIds = stringArray(rootfs.diff_ids);
  if (!diffIds) throw corrupt('image config', 'rootfs.diff_ids is not an array of digests', where);
  if (diffIds.length > MAX_LAYERS) {
    throw new StrataError('limit', `image config lists ${diffIds.length} layers, more than the limit of ${MAX_LAYERS}`, where);
  }
  for (const d of diffIds) {
    try {
      parseDigest(d, where);
    } catch (e) {
      throw corrupt('image config', `rootfs.diff_ids: ${e instanceof StrataError ? e.detail : String(e)}`, where);
    }
  }
  const config: ImageConfig = { rootfs: { type: 'layers', diff_ids: diffIds } };
  for (const key of ['architecture', 'os', 'variant', 'created'] as const) {
    const v = json[key];
    if (typeof v === 'string') config[key] = v;
  }
  if (isObject(json.config)) {
    const c = json.config;
    const runtime: NonNullable<ImageConfig['config']> = {};
    const env = stringArray(c.Env);
    if (env) runtime.Env = env;
    const entrypoint = stringArray(c.Entrypoint);
    if (entrypoint || c.Entrypoint === null) runtime.Entrypoint = entrypoint ?? null;
    const cmd = stringArray(c.Cmd);
    if (cmd || c.Cmd === null) runtime.Cmd = cmd ?? null;
    if (typeof c.WorkingDir === 'string') runtime.WorkingDir = c.WorkingDir;
    if (typeof c.User === 'string') runtime.User = c.User;
    if (c.Labels === null) runtime.Labels = null;
    else if (isObject(c.Labels)) {
      runtime.Labels = Object.fromEntries(Object.entries(c.Labels).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
    config.config = runtime;
  }
  if (json.history !== undefined && json.history !== null) {
    if (!Array.isArray(json.history)) throw corrupt('image config', '"history" is not an array', where);
    config.history = json.history.map((h, i): HistoryEntry => {
      if (!isObject(h)) throw corrupt('image config', `history entry ${i} is not an object`, where);
      const entry: HistoryEntry = {};
      if (typeof h.created === 'string') entry.created = h.created;
      if (typeof h.created_by === 'string') entry.created_by = h.created_by;
      if (typeof h.comment === 'string') entry.comment = h.comment;
      if (h.empty_layer === true) entry.empty_layer = true;
      return entry;
    });
  }
  return config;
}

/**
 * The `created_by` line for each layer: history entries that made a layer
 * (not `empty_layer`), in order. When the counts disagree the history cannot
 * be matched to layers reliably, and no layer gets a line.
 */
export function layerCreatedBy(config: ImageConfig): Array<string | undefined> {
  const layers = config.rootfs.diff_ids.length;
  const made = (config.history ?? []).filter((h) => !h.empty_layer);
  if (made.length !== layers) return new Array<string | undefined>(layers).fill(undefined);
  return made.map((h) => h.created_by);
}

/** A layer as the manifest and config describe it, before a source attaches `open()`. */
export interface LayerDescription {
  index: number;
  digest: string;
  diffId: string;
  mediaType: string;
  size: number;
  createdBy?: string;
  urls?: string[];
}

/** Pairs manifest layers with config diff_ids and history lines; the counts must agree. */
export function describeLayers(manifest: ImageManifest, config: ImageConfig, where: ErrorWhere): LayerDescription[] {
  const diffIds = config.rootfs.diff_ids;
  if (manifest.layers.length !== diffIds.length) {
    throw new StrataError(
      'corrupt',
      `manifest lists ${manifest.layers.length} layers but the config's rootfs.diff_ids has ${diffIds.length}`,
      where,
    );
  }
  const createdBy = layerCreatedBy(config);
  return manifest.layers.map((l, index) => {
    const d: LayerDescription = { index, digest: l.digest, diffId: diffIds[index] as string, mediaType: l.mediaType, size: l.size };
    const line = createdBy[index];
    if (line !== undefined) d.createdBy = line;
    if (l.urls?.length) d.urls = l.urls;
    return d;
  });
}

/** The platform an image config declares, if it declares one. */
export function configPlatform(config: ImageConfig): Platform | undefined {
  if (!config.os || !config.architecture) return undefined;
  return { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
}
