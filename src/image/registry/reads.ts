/**
 * Reads from a registry: manifests by tag or digest (digest verified), blobs
 * streamed as Node Readables (resumed with Range after a broken connection),
 * small blobs read whole and verified, blob existence, tags.
 */
import type { Readable } from 'node:stream';
import { StrataError, type ErrorWhere } from '../../core/errors.js';
import { digestOf, parseDigest, verifyDigest, verifySize } from '../digest.js';
import { MANIFEST_ACCEPT, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, parseManifest, type ManifestDocument } from '../manifest.js';
import { BlobStream } from './blob-stream.js';
import { anySignal, type RegistryEngine, type RequestOptions, type RequestSpec } from './engine.js';

const MAX_TAG_PAGES = 1000;

export interface FetchedManifest {
  bytes: Buffer;
  /** Content-Type as served. */
  contentType: string;
  /** Verified digest of `bytes`. */
  digest: string;
  document: ManifestDocument;
}

/**
 * Fetches a manifest or index by tag or digest, verifies it (against the
 * digest asked for, else against Docker-Content-Digest) and parses it.
 */
export async function getManifest(engine: RegistryEngine, repository: string, reference: string, options: RequestOptions & { accept?: string } = {}): Promise<FetchedManifest> {
  const where = options.where ?? {};
  const what = `manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
  const { reply, body } = await engine.fetchWhole(
    {
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      headers: { accept: options.accept ?? MANIFEST_ACCEPT },
      expect: [200],
      what,
      where,
      signal: options.signal,
    },
    MAX_MANIFEST_BYTES,
    (size) => new StrataError('limit', `${what} is ${size} bytes, more than the ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB limit`, where),
  );
  let digest: string;
  if (reference.includes(':')) {
    verifyDigest(body, reference, what, where);
    digest = reference;
  } else {
    const served = reply.header('docker-content-digest')?.trim();
    let algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256';
    if (served) {
      try {
        algorithm = parseDigest(served).algorithm;
      } catch {
        engine.logger.debug(`${what}: ignoring malformed Docker-Content-Digest "${served}"`);
      }
    }
    digest = digestOf(body, algorithm);
    if (served && served.startsWith(`${algorithm}:`) && served !== digest) {
      throw new StrataError('digest-mismatch', `${what}: registry says its digest is ${served}, its bytes hash to ${digest}`, where);
    }
    if (algorithm !== 'sha256') digest = digestOf(body, 'sha256');
  }
  const contentType = reply.header('content-type') ?? '';
  const document = parseManifest(body, contentType, where);
  return { bytes: body, contentType, digest, document };
}

/**
 * Streams a blob. The response status is known when this resolves (404 and
 * auth errors reject here); the stream resumes with Range requests after a
 * broken connection. The bytes are not verified: callers hash them
 * (src/layer/ does for layers; `getBlobBytes` for small blobs).
 */
export async function getBlob(engine: RegistryEngine, repository: string, digest: string, options: RequestOptions & { size?: number } = {}): Promise<Readable> {
  const where: ErrorWhere = { ...options.where, layer: options.where?.layer ?? digest };
  parseDigest(digest, where);
  const what = `blob ${digest} of ${repository} at ${engine.registry}`;
  const spec = (offset: number, signal: AbortSignal | undefined): RequestSpec => ({
    method: 'GET',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
    headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    expect: offset > 0 ? [200, 206] : [200],
    what,
    where,
    signal,
  });
  const first = await engine.request(spec(0, options.signal));
  return new BlobStream(first, {
    size: options.size,
    resume: (offset, streamSignal) => engine.request(spec(offset, anySignal(options.signal, streamSignal))),
    policy: engine.policy,
    what,
    registry: engine.registry,
    where,
    logger: engine.logger,
  });
}

/** Reads a small blob (a config) whole, checking its size and digest. */
export async function getBlobBytes(
  engine: RegistryEngine,
  repository: string,
  descriptor: { digest: string; size?: number },
  options: RequestOptions & { maxBytes?: number; what?: string } = {},
): Promise<Buffer> {
  const where = options.where ?? {};
  const limit = options.maxBytes ?? MAX_CONFIG_BYTES;
  const what = options.what ?? `blob ${descriptor.digest}`;
  if (descriptor.size !== undefined && descriptor.size > limit) {
    throw new StrataError('limit', `${what} is ${descriptor.size} bytes, more than the ${limit} byte limit`, where);
  }
  parseDigest(descriptor.digest, where);
  const { body } = await engine.fetchWhole(
    {
      method: 'GET',
      path: `/v2/${repository}/blobs/${descriptor.digest}`,
      repository,
      expect: [200],
      what: `${what} of ${repository}`,
      where,
      signal: options.signal,
    },
    limit,
    (size) => new StrataError('limit', `${what} is ${size} bytes, more than the ${limit} byte limit`, where),
  );
  verifySize(body, descriptor.size, what, where);
  verifyDigest(body, descriptor.digest, what, where);
  return body;
}

/** Whether the repository has the blob (HEAD). */
export async function hasBlob(engine: RegistryEngine, repository: string, digest: string, options: RequestOptions = {}): Promise<boolean> {
  const reply = await engine.request({
    method: 'HEAD',
    path: `/v2/${repository}/blobs/${digest}`,
    repository,
    expect: [200, 404],
    what: `blob ${digest} of ${repository}`,
    where: options.where ?? {},
    signal: options.signal,
  });
  await reply.cancel();
  return reply.status === 200;
}

/** All tags of a repository, following `Link: <…>; rel="next"` pages. */
export async function listTags(engine: RegistryEngine, repository: string, options: RequestOptions = {}): Promise<string[]> {
  const where = options.where ?? {};
  const tags: string[] = [];
  let path: string | URL = `/v2/${repository}/tags/list`;
  for (let page = 0; page < MAX_TAG_PAGES; page++) {
    const { reply, body } = await engine.fetchWhole(
      { method: 'GET', path, repository, expect: [200], what: `tags of ${repository}`, where, signal: options.signal },
      MAX_MANIFEST_BYTES,
      (size) => new StrataError('limit', `tag list page of ${repository} is ${size} bytes`, where),
    );
    let json: { tags?: unknown };
    try {
      json = JSON.parse(body.toString('utf8')) as { tags?: unknown };
    } catch {
      throw new StrataError('corrupt', `tag list of ${repository} at ${engine.registry} is not JSON`, where);
    }
    if (Array.isArray(json.tags)) tags.push(...json.tags.filter((t): t is string => typeof t === 'string'));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(reply.header('link') ?? '');
    if (!next?.[1]) return tags;
    path = new URL(next[1], reply.url);
  }
  throw new StrataError('limit', `tag list of ${repository} has more than ${MAX_TAG_PAGES} pages`, where);
}
