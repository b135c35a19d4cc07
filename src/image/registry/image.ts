/**
 * `openRegistryImage`: a registry reference → an `Image` whose layers stream
 * from the registry. Resolves an index to the wanted platform (the host's by
 * default), verifies the manifest and config digests, pairs layers with
 * diff_ids and history. Layer bytes are verified downstream (src/layer/).
 */
import { StrataError, type ErrorWhere } from '../../core/errors.js';
import type { Image, Layer, OpenOptions, Platform } from '../../core/image.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { verifySize } from '../digest.js';
import {
  assertContainerImage,
  configPlatform,
  describeLayers,
  MAX_CONFIG_BYTES,
  parseImageConfig,
  type Descriptor,
  type ImageManifest,
} from '../manifest.js';
import { assertPlatform, choosePlatform, explicitPlatform, formatPlatform } from '../platform.js';
import { manifestReference, parseReference, type ImageReference } from '../reference.js';
import { RegistryClient, type FetchedManifest, type RegistryClientOptions } from './client.js';

export interface RegistryImageOptions {
  /** `os/arch[/variant]` or a Platform; default: the host's (see platform.ts). */
  platform?: Platform | string;
  /** `--username/--password`; they take precedence over every other source. */
  credentials?: { username: string; password: string; source?: string };
  insecure?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  retries?: number;
  /** A client to reuse (shares its token cache between images of one registry). */
  client?: RegistryClient;
  /** Further client settings (timeouts, backoff, credential environment). */
  clientOptions?: Omit<RegistryClientOptions, 'registry'>;
}

/** Indexes may nest (an index entry pointing at another index); real ones go one or two deep. */
const MAX_INDEX_DEPTH = 4;

function anySignal(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b) return AbortSignal.any([a, b]);
  return a ?? b;
}

export async function openRegistryImage(reference: string | ImageReference, options: RegistryImageOptions = {}): Promise<Image> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const where: ErrorWhere = { image: ref.name };
  const logger = options.logger ?? silentLogger;
  const client =
    options.client ??
    new RegistryClient({
      ...options.clientOptions,
      registry: ref.registry,
      repository: ref.repository,
      logger,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
  const explicit = explicitPlatform(options.platform);
  const signal = options.signal;
  const repo = ref.repository;

  let fetched: FetchedManifest = await client.getManifest(repo, manifestReference(ref), { where, ...(signal ? { signal } : {}) });
  let chosen: Descriptor | undefined;
  for (let depth = 0; fetched.document.kind === 'index'; depth++) {
    if (depth >= MAX_INDEX_DEPTH) throw new StrataError('limit', `image indexes nest more than ${MAX_INDEX_DEPTH} deep`, where);
    const index = fetched.document;
    chosen = choosePlatform(index, explicit, where, (m) => logger.warn(m));
    logger.debug(`${ref.name}: index ${fetched.digest} → ${chosen.platform ? formatPlatform(chosen.platform) : 'single entry'} ${chosen.digest}`);
    fetched = await client.getManifest(repo, chosen.digest, { where, ...(signal ? { signal } : {}) });
    verifySize(fetched.bytes, chosen.size, `manifest ${chosen.digest}`, where);
  }
  const manifest = fetched.document;
  assertContainerImage(manifest, where);

  const configBytes = await client.getBlobBytes(repo, manifest.config, {
    where,
    maxBytes: MAX_CONFIG_BYTES,
    what: `config blob ${manifest.config.digest}`,
    ...(signal ? { signal } : {}),
  });
  const config = parseImageConfig(configBytes, where);
  const platform = configPlatform(config) ?? chosen?.platform;
  if (explicit && !chosen) assertPlatform(platform, explicit, where);
  return registryImage(ref, fetched.digest, manifest, config, platform, client, signal);
}

function registryImage(
  ref: ImageReference,
  digest: string,
  manifest: ImageManifest,
  config: ReturnType<typeof parseImageConfig>,
  platform: Platform | undefined,
  client: RegistryClient,
  imageSignal: AbortSignal | undefined,
): Image {
  const where: ErrorWhere = { image: ref.name };
  const layers: Layer[] = describeLayers(manifest, config, where).map((d) => ({
    ...d,
    // Blobs are fetched by their digest, and walkLayer refuses other bytes.
    contentAddressed: true,
    open: (opts?: OpenOptions) => {
      const signal = anySignal(opts?.signal, imageSignal);
      return client.getBlob(ref.repository, d.digest, { size: d.size, where: { ...where, layer: d.digest }, ...(signal ? { signal } : {}) });
    },
  }));
  return {
    name: ref.name,
    source: 'registry',
    digest,
    configDigest: manifest.config.digest,
    ...(platform ? { platform } : {}),
    config,
    layers,
    close: () => Promise.resolve(),
  };
}
