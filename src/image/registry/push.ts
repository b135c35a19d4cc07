/**
 * Writes to a registry (for pushing the vulnerability database as an OCI
 * artifact): monolithic blob upload (POST, then PUT `?digest=`; HEAD first
 * to skip blobs the registry has), manifest PUT.
 */
import type { Readable } from 'node:stream';
import { StrataError } from '../../core/errors.js';
import { digestOf, parseDigest, verifyDigest } from '../digest.js';
import type { RegistryEngine, RequestOptions } from './engine.js';
import { hasBlob } from './reads.js';

export type BlobData = Uint8Array | Readable | (() => Readable);

/**
 * Uploads a blob unless the repository already has it: POST an upload,
 * then PUT the bytes with `?digest=` (monolithic). `data` may be bytes, a
 * stream (sent once, no retry) or a function returning a fresh stream.
 */
export async function pushBlob(
  engine: RegistryEngine,
  repository: string,
  data: BlobData,
  digest: string,
  options: RequestOptions & { size?: number } = {},
): Promise<{ digest: string; size: number | undefined; existed: boolean }> {
  const where = options.where ?? {};
  const parsed = parseDigest(digest, where);
  const size = data instanceof Uint8Array ? data.length : options.size;
  if (data instanceof Uint8Array) verifyDigest(data, digest, `blob to push`, where);
  if (await hasBlob(engine, repository, digest, { signal: options.signal, where })) {
    engine.logger.debug(`blob ${digest} already in ${repository}; not uploading`);
    return { digest, size, existed: true };
  }
  const what = `upload of blob ${digest} to ${repository} at ${engine.registry}`;
  const started = await engine.request({
    method: 'POST',
    path: `/v2/${repository}/blobs/uploads/`,
    repository,
    push: true,
    expect: [202],
    what,
    where,
    signal: options.signal,
  });
  await started.cancel();
  const location = started.header('location');
  if (!location) throw new StrataError('network', `${what}: the registry gave no upload Location`, where);
  const target = new URL(location, started.url);
  target.searchParams.set('digest', parsed.digest);
  // fetch sets Content-Length for bytes; a stream of known size gets it by hand (else it goes chunked).
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (!(data instanceof Uint8Array) && size !== undefined) headers['content-length'] = String(size);
  const replayable = !(typeof data === 'object' && !(data instanceof Uint8Array));
  const body = (): RequestInit['body'] => {
    if (data instanceof Uint8Array) return data;
    // Node's fetch accepts async iterables (a Readable) as a streamed body.
    const stream = typeof data === 'function' ? data() : data;
    return stream;
  };
  const done = await engine.request({
    method: 'PUT',
    path: target,
    repository,
    push: true,
    headers,
    body,
    replayable,
    expect: [201],
    what,
    where,
    signal: options.signal,
  });
  await done.cancel();
  const stored = done.header('docker-content-digest');
  if (stored && stored !== digest) {
    throw new StrataError('digest-mismatch', `${what}: the registry stored it as ${stored}`, where);
  }
  return { digest, size, existed: false };
}

/**
 * Uploads a manifest under a tag or its digest. Returns its digest and, when
 * the registry processed a `subject` (referrers API), the OCI-Subject it echoed.
 */
export async function pushManifest(
  engine: RegistryEngine,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
  options: RequestOptions = {},
): Promise<{ digest: string; subject?: string }> {
  const where = options.where ?? {};
  const digest = reference.includes(':') ? reference : digestOf(bytes);
  if (reference.includes(':')) verifyDigest(bytes, reference, 'manifest to push', where);
  const what = `upload of manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference} to ${engine.registry}`;
  const reply = await engine.request({
    method: 'PUT',
    path: `/v2/${repository}/manifests/${reference}`,
    repository,
    push: true,
    headers: { 'content-type': mediaType },
    body: () => bytes,
    expect: [200, 201],
    what,
    where,
    signal: options.signal,
  });
  await reply.cancel();
  const stored = reply.header('docker-content-digest');
  if (stored && stored.startsWith('sha256:') && stored !== digest) {
    throw new StrataError('digest-mismatch', `${what}: the registry stored it as ${stored}, expected ${digest}`, where);
  }
  const subject = reply.header('oci-subject') ?? undefined;
  return subject ? { digest, subject } : { digest };
}
