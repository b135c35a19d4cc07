/**
 * What the acquire stage (src/image/) hands to the unpack stage (src/layer/):
 * an image's identity, its config, and its layers in order (bottom first).
 */
import type { Readable } from 'node:stream';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The OCI image config (application/vnd.oci.image.config.v1+json), the fields Strata reads. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    User?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface OpenOptions {
  signal?: AbortSignal;
}

/** One layer as stored: the blob bytes, possibly compressed. */
export interface Layer {
  /** 0-based position, bottom layer first. */
  readonly index: number;
  /** Digest of the blob as stored (manifest `layers[].digest`). For uncompressed tar layers it equals diffId. */
  readonly digest: string;
  /** Digest of the uncompressed tar (config `rootfs.diff_ids[index]`). */
  readonly diffId: string;
  /** Media type from the manifest (informational: compression is detected from magic bytes). */
  readonly mediaType: string;
  /** Blob size in bytes, -1 when unknown. */
  readonly size: number;
  /** The `created_by` line of the history entry that made this layer. */
  readonly createdBy?: string;
  /**
   * True when the source serves the blob by `digest` and fails any read
   * whose bytes do not hash to it (a registry): the digest alone then names
   * the bytes, and a cache may answer for the layer without reading it.
   * Otherwise (files on a disk: an OCI layout, an archive) the digest is only
   * a claim about bytes that may have changed or been mislabelled, and a
   * cached answer must be proven by hashing the bytes first.
   */
  readonly contentAddressed?: boolean;
  /** The raw blob bytes. The caller verifies `digest` while reading. */
  open(options?: OpenOptions): Promise<Readable>;
  /**
   * The blob's digest with `algorithm` and its length, as `open()` would
   * give them but faster (local files: positioned reads, no stream). Only a
   * speed-up: without it the digest is computed over `open()`.
   */
  hash?(algorithm: string, options?: OpenOptions): Promise<BlobHash>;
}

export interface BlobHash {
  /** `algorithm:hex` */
  digest: string;
  bytes: number;
}

export type ImageSourceKind = 'registry' | 'docker-archive' | 'oci-archive' | 'oci-layout' | 'rootfs';

export interface Image {
  /** The reference as the user gave it, normalised (`docker.io/library/debian:12`) or the input path. */
  readonly name: string;
  readonly source: ImageSourceKind;
  /** Manifest digest (what `name@digest` would pull), when there is a manifest. */
  readonly digest?: string;
  readonly configDigest?: string;
  readonly platform?: Platform;
  readonly config?: ImageConfig;
  /** Tags a docker-archive or OCI layout records for the image. */
  readonly repoTags?: string[];
  readonly layers: readonly Layer[];
  /** For `rootfs` images: the directory to walk instead of layers. */
  readonly rootDir?: string;
  /** Releases files, sockets or temp dirs held by the source. Idempotent. */
  close(): Promise<void>;
}
