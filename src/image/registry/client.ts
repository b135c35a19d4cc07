/**
 * `RegistryClient`: the OCI distribution API for one registry host, in three
 * parts:
 *
 * - engine.ts sends requests: `GET /v2/` (scheme and auth discovery), HTTPS
 *   or (loopback, `insecure`) plain HTTP, token and Basic auth, retries,
 *   redirects without leaking Authorization, errors that name the registry.
 * - reads.ts: manifests, blobs (streamed and resumed, or small ones whole),
 *   blob existence, tags.
 * - push.ts (for the vulnerability database as an OCI artifact): blob
 *   upload, manifest PUT.
 *
 * This class is the one way callers use them: the engine, with each read and
 * push as a method.
 */
import type { Readable } from 'node:stream';
import { RegistryEngine, type RequestOptions } from './engine.js';
import { type BlobData, pushBlob, pushManifest } from './push.js';
import { type FetchedManifest, getBlob, getBlobBytes, getManifest, hasBlob, listTags } from './reads.js';

export type { RegistryClientOptions, RequestOptions } from './engine.js';
export type { FetchedManifest } from './reads.js';
export type { BlobData } from './push.js';

export class RegistryClient extends RegistryEngine {
  /**
   * Fetches a manifest or index by tag or digest, verifies it (against the
   * digest asked for, else against Docker-Content-Digest) and parses it.
   */
  getManifest(repository: string, reference: string, options?: RequestOptions & { accept?: string }): Promise<FetchedManifest> {
    return getManifest(this, repository, reference, options);
  }

  /** Streams a blob, resumed with Range requests after a broken connection; the caller verifies the bytes. */
  getBlob(repository: string, digest: string, options?: RequestOptions & { size?: number }): Promise<Readable> {
    return getBlob(this, repository, digest, options);
  }

  /** Reads a small blob (a config) whole, checking its size and digest. */
  getBlobBytes(repository: string, descriptor: { digest: string; size?: number }, options?: RequestOptions & { maxBytes?: number; what?: string }): Promise<Buffer> {
    return getBlobBytes(this, repository, descriptor, options);
  }

  /** Whether the repository has the blob (HEAD). */
  hasBlob(repository: string, digest: string, options?: RequestOptions): Promise<boolean> {
    return hasBlob(this, repository, digest, options);
  }

  /** All tags of a repository, following `Link: <…>; rel="next"` pages. */
  listTags(repository: string, options?: RequestOptions): Promise<string[]> {
    return listTags(this, repository, options);
  }

  /** Uploads a blob unless the repository already has it (bytes, a stream sent once, or a function making a fresh stream). */
  pushBlob(repository: string, data: BlobData, digest: string, options?: RequestOptions & { size?: number }): Promise<{ digest: string; size: number | undefined; existed: boolean }> {
    return pushBlob(this, repository, data, digest, options);
  }

  /** Uploads a manifest under a tag or its digest; returns its digest and the OCI-Subject a registry echoed. */
  pushManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, options?: RequestOptions): Promise<{ digest: string; subject?: string }> {
    return pushManifest(this, repository, reference, bytes, mediaType, options);
  }
}
