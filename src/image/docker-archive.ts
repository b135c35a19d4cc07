/**
 * `docker save` tarballs (and skopeo's docker-archive): `manifest.json` lists
 * images as `{Config, RepoTags, Layers}`; layers are members of the tar —
 * uncompressed `<diffid>.tar` at the top level, legacy `<id>/layer.tar`
 * (which skopeo writes as symlinks to those), or Docker 25+'s
 * `blobs/sha256/<hex>` (possibly compressed). Served as slices of the tar,
 * never extracted. An archive with several images needs a selector (a RepoTag
 * or `@N`); without one the error lists them.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { Image, Layer, OpenOptions } from '../core/image.js';
import { silentLogger, type Logger } from '../core/log.js';
import { digestOf, isDigest, verifyDigest } from './digest.js';
import { configPlatform, layerCreatedBy, MAX_CONFIG_BYTES, MAX_LAYERS, MAX_MANIFEST_BYTES, MediaTypes, parseImageConfig, parseManifest } from './manifest.js';
import { TarStore } from './local-store.js';
import { readVerifiedBlob, type LocalImageOptions } from './oci-layout.js';
import { assertPlatform, explicitPlatform } from './platform.js';
import { sameReference } from './reference.js';

interface ArchiveEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
  LayerSources?: Record<string, { mediaType?: string; digest?: string; size?: number }>;
}

function parseArchiveManifest(bytes: Buffer, where: ErrorWhere): ArchiveEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new StrataError('corrupt', `manifest.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`, where);
  }
  if (!Array.isArray(json) || json.length === 0) throw new StrataError('corrupt', 'manifest.json is not a non-empty array of images', where);
  return json.map((raw: unknown, i): ArchiveEntry => {
    const e = raw as Partial<Record<keyof ArchiveEntry, unknown>> | null;
    if (!e || typeof e !== 'object' || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) {
      throw new StrataError('corrupt', `manifest.json entry ${i} needs "Config" and "Layers"`, where);
    }
    if (e.Layers.length > MAX_LAYERS) {
      throw new StrataError('limit', `manifest.json entry ${i} lists ${e.Layers.length} layers, more than the limit of ${MAX_LAYERS}`, where);
    }
    const tags = Array.isArray(e.RepoTags) ? e.RepoTags.filter((t): t is string => typeof t === 'string') : [];
    const entry: ArchiveEntry = { Config: e.Config, RepoTags: tags, Layers: e.Layers };
    if (e.LayerSources && typeof e.LayerSources === 'object') entry.LayerSources = e.LayerSources as ArchiveEntry['LayerSources'];
    return entry;
  });
}

function describeEntry(e: ArchiveEntry, i: number): string {
  return e.RepoTags.length ? e.RepoTags.join(' ') : `@${i} (untagged, config ${e.Config})`;
}

function chooseEntry(entries: ArchiveEntry[], select: string | undefined, location: string, where: ErrorWhere): ArchiveEntry {
  if (select !== undefined) {
    const byIndex = /^@(\d+)$/.exec(select);
    if (byIndex) {
      const e = entries[Number(byIndex[1])];
      if (!e) throw new StrataError('not-found', `${location} has no image ${select}; it has ${entries.length}`, where);
      return e;
    }
    const matching = entries.filter((e) => e.RepoTags.some((t) => t === select || sameReference(t, select)));
    if (matching.length === 0) {
      throw new StrataError('not-found', `${location} has no image tagged "${select}"; it has: ${entries.map(describeEntry).join(', ')}`, where);
    }
    return matching[0] as ArchiveEntry;
  }
  if (entries.length > 1) {
    throw new StrataError(
      'usage',
      `${location} holds ${entries.length} images: ${entries.map(describeEntry).join(', ')}; choose one with ${location}:TAG (or :@N)`,
      where,
    );
  }
  return entries[0] as ArchiveEntry;
}

/** The digest in a content-addressed member name (`blobs/sha256/<hex>`, Docker 25+). */
function digestFromBlobPath(name: string): string | undefined {
  const m = /(?:^|\/)blobs\/(sha256|sha384|sha512)\/([a-f0-9]+)$/.exec(name);
  const d = m ? `${m[1]}:${m[2]}` : undefined;
  return d && isDigest(d) ? d : undefined;
}

/** The config digest its member name promises: `<hex>.json` (docker save, skopeo), `sha256:<hex>` (crane) or `blobs/sha256/<hex>`. */
function digestFromConfigName(name: string): string | undefined {
  const m = /(?:^|\/)(?:sha256:)?([a-f0-9]{64})(?:\.json)?$/.exec(name);
  return m ? `sha256:${m[1]}` : digestFromBlobPath(name);
}

type Compression = 'gzip' | 'zstd' | 'none';

function sniff(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

const MEDIA_TYPE_FOR: Record<Compression, string> = {
  none: MediaTypes.dockerLayerTar,
  gzip: MediaTypes.dockerLayerGzip,
  zstd: MediaTypes.dockerLayerZstd,
};

/**
 * Docker 25+ archives also carry an OCI index; the manifest whose config is
 * ours gives the image its manifest digest. Older archives have none.
 */
async function manifestDigestFromIndex(store: TarStore, configDigest: string, where: ErrorWhere, logger: Logger): Promise<string | undefined> {
  if (!(await store.has('index.json'))) return undefined;
  try {
    const index = parseManifest(await store.read('index.json', MAX_MANIFEST_BYTES, 'index.json', where), undefined, where);
    if (index.kind !== 'index') return undefined;
    const queue = [...index.manifests];
    for (let seen = 0; queue.length && seen < 64; seen++) {
      const d = queue.shift();
      if (!d) break;
      const doc = parseManifest(await readVerifiedBlob(store, d, MAX_MANIFEST_BYTES, `manifest ${d.digest}`, where), d.mediaType || undefined, where);
      if (doc.kind === 'index') queue.push(...doc.manifests);
      else if (doc.kind === 'manifest' && doc.config.digest === configDigest) return d.digest;
    }
  } catch (e) {
    logger.debug(`ignoring the archive's index.json: ${e instanceof Error ? e.message : String(e)}`);
  }
  return undefined;
}

/** Builds the Image from an indexed docker-archive. Takes ownership of `store`. */
export async function dockerArchiveFromStore(store: TarStore, options: LocalImageOptions & { name: string }): Promise<Image> {
  const where: ErrorWhere = { image: options.name };
  const logger = options.logger ?? silentLogger;
  try {
    const entries = parseArchiveManifest(await store.read('manifest.json', MAX_MANIFEST_BYTES, 'manifest.json', where), where);
    const entry = chooseEntry(entries, options.select, store.location, where);
    const configBytes = await store.read(entry.Config, MAX_CONFIG_BYTES, `config ${entry.Config}`, where);
    const configDigest = digestOf(configBytes);
    const named = digestFromConfigName(entry.Config);
    if (named) verifyDigest(configBytes, named, `config ${entry.Config}`, where);
    const config = parseImageConfig(configBytes, where);
    const diffIds = config.rootfs.diff_ids;
    if (entry.Layers.length !== diffIds.length) {
      throw new StrataError('corrupt', `manifest.json lists ${entry.Layers.length} layers but the config's rootfs.diff_ids has ${diffIds.length}`, where);
    }
    const createdBy = layerCreatedBy(config);
    const layers: Layer[] = [];
    for (const [index, member] of entry.Layers.entries()) {
      const diffId = diffIds[index] as string;
      const layerWhere: ErrorWhere = { ...where, layer: diffId };
      const size = await store.size(member, layerWhere);
      const source = entry.LayerSources?.[diffId];
      const compression = sniff(await store.head(member, 4, layerWhere));
      let digest: string;
      if (source?.digest && isDigest(source.digest)) digest = source.digest;
      else if (compression === 'none') digest = diffId; // an uncompressed layer's blob is its diff
      else digest = digestFromBlobPath(member) ?? (await store.hash(member, 'sha256', layerWhere)).digest;
      const line = createdBy[index];
      layers.push({
        index,
        digest,
        diffId,
        mediaType: source?.mediaType ?? MEDIA_TYPE_FOR[compression],
        size,
        ...(line !== undefined ? { createdBy: line } : {}),
        open: (opts?: OpenOptions) => store.open(member, { ...where, layer: digest }, opts?.signal),
        hash: (algorithm: string, opts?: OpenOptions) => store.hash(member, algorithm, { ...where, layer: digest }, opts?.signal),
      });
    }
    const digest = await manifestDigestFromIndex(store, configDigest, where, logger);
    const platform = configPlatform(config);
    const wanted = explicitPlatform(options.platform);
    if (wanted) assertPlatform(platform, wanted, where);
    return {
      name: options.name,
      source: 'docker-archive',
      ...(digest ? { digest } : {}),
      configDigest,
      ...(platform ? { platform } : {}),
      config,
      repoTags: entry.RepoTags,
      layers,
      close: () => store.close(),
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** A `docker save` / docker-archive tarball (optionally gzip-compressed). */
export async function openDockerArchive(file: string, options: LocalImageOptions = {}): Promise<Image> {
  const name = options.name ?? (options.select ? `${file}:${options.select}` : file);
  const store = await TarStore.create(file, { image: name }, options.logger ?? silentLogger);
  return dockerArchiveFromStore(store, { ...options, name });
}
