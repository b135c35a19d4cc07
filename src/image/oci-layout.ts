/**
 * OCI image layouts (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), as a
 * directory or as a tar of one (an OCI archive, served from the tar without
 * extracting it). One image is chosen from `index.json` by its
 * `org.opencontainers.image.ref.name` (or containerd's `io.containerd.image.name`)
 * when a selector is given, else the only one there; nested indexes are
 * resolved to the wanted platform. Manifest and config digests are verified.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { Image, Layer, OpenOptions, Platform } from '../core/image.js';
import { silentLogger, type Logger } from '../core/log.js';
import { parseDigest, verifyDigest, verifySize } from './digest.js';
import {
  assertContainerImage,
  configPlatform,
  describeLayers,
  isManifestMediaType,
  MAX_CONFIG_BYTES,
  MAX_MANIFEST_BYTES,
  parseImageConfig,
  parseJsonObject,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ManifestDocument,
} from './manifest.js';
import { DirStore, TarStore, type LocalStore } from './local-store.js';
import { assertPlatform, choosePlatform, explicitPlatform, isAttestation } from './platform.js';
import { sameReference } from './reference.js';

export interface LocalImageOptions {
  /** Chooses one image when the input holds several: a tag / ref name, a RepoTag, a digest, or `@N` (docker-archive). */
  select?: string;
  /** `os/arch[/variant]` or a Platform for multi-platform layouts; default: the host's. */
  platform?: Platform | string;
  logger?: Logger;
  /** How the image is named in results and messages (default: the input path, plus `:select`). */
  name?: string;
}

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';
const MAX_INDEX_DEPTH = 4;

export function blobName(digest: string, where: ErrorWhere = {}): string {
  const { algorithm, hex } = parseDigest(digest, where);
  return `blobs/${algorithm}/${hex}`;
}

/** Reads a blob whole and checks it against its descriptor's size and digest. */
export async function readVerifiedBlob(store: LocalStore, d: { digest: string; size?: number }, limit: number, what: string, where: ErrorWhere): Promise<Buffer> {
  const bytes = await store.read(blobName(d.digest, where), limit, what, where);
  verifySize(bytes, d.size, what, where);
  verifyDigest(bytes, d.digest, what, where);
  return bytes;
}

function entryNames(d: Descriptor): string[] {
  const names: string[] = [];
  const ref = d.annotations?.[REF_NAME_ANNOTATION];
  const containerd = d.annotations?.[CONTAINERD_NAME_ANNOTATION];
  if (ref) names.push(ref);
  if (containerd && containerd !== ref) names.push(containerd);
  return names;
}

function matchesSelector(d: Descriptor, select: string): boolean {
  if (d.digest === select) return true;
  return entryNames(d).some((n) => n === select || sameReference(n, select));
}

/** Reads `oci-layout` and `index.json`; errors say when the input is no OCI layout at all. */
export async function readLayoutIndex(store: LocalStore, where: ErrorWhere): Promise<ImageIndex> {
  if (!(await store.has('oci-layout'))) {
    throw new StrataError('unsupported', `${store.location} is not an OCI image layout (no oci-layout file)`, where);
  }
  const layout = parseJsonObject(await store.read('oci-layout', 64 * 1024, 'oci-layout', where), 'oci-layout', 64 * 1024, where);
  if (typeof layout.imageLayoutVersion !== 'string') {
    throw new StrataError('corrupt', 'oci-layout has no imageLayoutVersion', where);
  }
  const bytes = await store.read('index.json', MAX_MANIFEST_BYTES, 'index.json', where);
  const doc = parseManifest(bytes, undefined, where);
  if (doc.kind !== 'index') throw new StrataError('corrupt', 'index.json is not an image index', where);
  return doc;
}

/**
 * Entries of the layout's index.json that make up the chosen image: those
 * matching `select`, else all (when they are one image's platforms).
 */
function chooseTopLevel(index: ImageIndex, select: string | undefined, location: string, where: ErrorWhere): Descriptor[] {
  const images = index.manifests.filter((d) => !isAttestation(d));
  if (images.length === 0) throw new StrataError('not-found', `${location} holds no images (index.json is empty)`, where);
  const names = [...new Set(images.flatMap((d) => entryNames(d).slice(0, 1)))];
  if (select !== undefined) {
    const matching = images.filter((d) => matchesSelector(d, select));
    if (matching.length === 0) {
      throw new StrataError('not-found', `${location} has no image named "${select}"; it has: ${names.length ? names.join(', ') : '(untagged images only)'}`, where);
    }
    return matching;
  }
  if (names.length > 1) {
    throw new StrataError('usage', `${location} holds ${names.length} images: ${names.join(', ')}; choose one with ${location}:NAME`, where);
  }
  return images;
}

async function readManifestBlob(store: LocalStore, d: Descriptor, where: ErrorWhere): Promise<ManifestDocument> {
  const bytes = await readVerifiedBlob(store, d, MAX_MANIFEST_BYTES, `manifest ${d.digest}`, where);
  return parseManifest(bytes, d.mediaType || undefined, where);
}

/** Fills in the platform of top-level manifest entries that do not record one, from their configs. */
async function withPlatforms(store: LocalStore, entries: Descriptor[], where: ErrorWhere): Promise<Descriptor[]> {
  return Promise.all(
    entries.map(async (d) => {
      if (d.platform || (d.mediaType !== '' && !isManifestMediaType(d.mediaType))) return d;
      const doc = await readManifestBlob(store, d, where);
      if (doc.kind !== 'manifest') return d;
      const config = parseImageConfig(await readVerifiedBlob(store, doc.config, MAX_CONFIG_BYTES, `config ${doc.config.digest}`, where), where);
      const platform = configPlatform(config);
      return platform ? { ...d, platform } : d;
    }),
  );
}

/** Builds the Image from a store holding an OCI layout. Takes ownership of `store` (closed on failure and by `close()`). */
export async function ociImageFromStore(
  store: LocalStore,
  source: 'oci-layout' | 'oci-archive',
  options: LocalImageOptions & { name: string },
): Promise<Image> {
  const where: ErrorWhere = { image: options.name };
  const logger = options.logger ?? silentLogger;
  try {
    const explicit = explicitPlatform(options.platform);
    const index = await readLayoutIndex(store, where);
    let candidates = chooseTopLevel(index, options.select, store.location, where);
    if (candidates.length > 1) candidates = await withPlatforms(store, candidates, where);
    const top: Descriptor =
      candidates.length === 1 ? (candidates[0] as Descriptor) : choosePlatform({ ...index, manifests: candidates }, explicit, where, (m) => logger.warn(m));
    let chosen = top;
    let doc = await readManifestBlob(store, chosen, where);
    for (let depth = 0; doc.kind === 'index'; depth++) {
      if (depth >= MAX_INDEX_DEPTH) throw new StrataError('limit', `image indexes nest more than ${MAX_INDEX_DEPTH} deep`, where);
      chosen = choosePlatform(doc, explicit, where, (m) => logger.warn(m));
      doc = await readManifestBlob(store, chosen, where);
    }
    assertContainerImage(doc, where);
    const manifest = doc;
    const configBytes = await readVerifiedBlob(store, manifest.config, MAX_CONFIG_BYTES, `config ${manifest.config.digest}`, where);
    const config = parseImageConfig(configBytes, where);
    const layers: Layer[] = [];
    for (const d of describeLayers(manifest, config, where)) {
      const name = blobName(d.digest, { ...where, layer: d.digest });
      const layerWhere = { ...where, layer: d.digest };
      if (!(await store.has(name))) {
        // There but not a regular file (a symlink to /dev/zero, a FIFO): size() says what it is.
        await store.size(name, layerWhere).catch((e: unknown) => {
          if (!(e instanceof StrataError && e.code === 'not-found')) throw e;
        });
        const hint = d.urls?.length ? ` (a non-distributable layer; it lives at ${d.urls[0]})` : '';
        throw new StrataError('not-found', `layer blob is missing from ${store.location}${hint}`, layerWhere);
      }
      const size = await store.size(name, layerWhere);
      if (size !== d.size) {
        throw new StrataError('digest-mismatch', `layer blob is ${size} bytes, the manifest says ${d.size}`, layerWhere);
      }
      layers.push({
        ...d,
        open: (opts?: OpenOptions) => store.open(name, layerWhere, opts?.signal),
        hash: (algorithm: string, opts?: OpenOptions) => store.hash(name, algorithm, layerWhere, opts?.signal),
      });
    }
    const platform = configPlatform(config) ?? chosen.platform;
    if (explicit && chosen === top && candidates.length === 1) assertPlatform(platform, explicit, where);
    const repoTags = entryNames(top);
    logger.debug(`${options.name}: manifest ${chosen.digest}, ${layers.length} layers`);
    return {
      name: options.name,
      source,
      digest: chosen.digest,
      configDigest: manifest.config.digest,
      ...(platform ? { platform } : {}),
      config,
      ...(repoTags.length ? { repoTags } : {}),
      layers,
      close: () => store.close(),
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** An OCI image layout directory (`DIR`, optionally choosing `select` = a ref name). */
export async function openOciLayout(dir: string, options: LocalImageOptions = {}): Promise<Image> {
  const name = options.name ?? (options.select ? `${dir}:${options.select}` : dir);
  return ociImageFromStore(new DirStore(dir), 'oci-layout', { ...options, name });
}

/** A tar of an OCI image layout (`skopeo copy … oci-archive:FILE`, `docker save` of Docker 25+ without manifest.json). */
export async function openOciArchive(file: string, options: LocalImageOptions = {}): Promise<Image> {
  const name = options.name ?? (options.select ? `${file}:${options.select}` : file);
  const store = await TarStore.create(file, { image: name }, options.logger ?? silentLogger);
  return ociImageFromStore(store, 'oci-archive', { ...options, name });
}
