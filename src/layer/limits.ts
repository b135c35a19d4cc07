/**
 * Limits that hold the line against hostile or absurd layers. Every one can be
 * overridden per call (`limits` option); the defaults are chosen to be far
 * above anything a real image has while still stopping an attack in seconds.
 */
// The decompression-bomb thresholds are shared with whole gzip'd archives (image/archive-gunzip.ts).
import { DEFAULT_BOMB_MIN_BYTES, DEFAULT_MAX_RATIO, formatBytes } from '../util/decompression-limits.js';


export interface LayerLimits {
  /**
   * Decompression-bomb ratio check: once more than `bombMinBytes` came out of
   * the decompressor, stop when uncompressed / compressed-read-so-far exceeds
   * `maxRatio`.
   */
  maxRatio: number;
  bombMinBytes: number;
  /** Absolute cap on one layer's uncompressed tar size. */
  maxUncompressedBytes: number;
  /** Tar entries (files, dirs, links, whiteouts) in one layer. */
  maxEntries: number;
  /** Bytes of a normalised path or link target (Linux PATH_MAX). */
  maxPathBytes: number;
  /** Size of one PAX or GNU long-name record body. */
  maxMetaBytes: number;
  /** Most bytes of one file handed to a visitor, whatever limit it asked for. */
  maxContentBytes: number;
  /**
   * Content of files already delivered in a layer is kept (up to this many
   * bytes) so a later hard link to one of them can be delivered too: a tar
   * stores a hard link's data only once, at its first name.
   */
  hardLinkCacheBytes: number;
}

export { DEFAULT_BOMB_MIN_BYTES, DEFAULT_MAX_RATIO, formatBytes };
/**
 * The biggest public layers (CUDA / ML framework images) unpack to 10–20 GiB;
 * 32 GiB leaves headroom and still bounds one layer to about a minute of
 * decompression at 500 MB/s.
 */
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 32 * 1024 ** 3;
/** Large node_modules-heavy layers reach a few hundred thousand entries; 2 M is ~5× that. */
export const DEFAULT_MAX_ENTRIES = 2_000_000;
/** Linux PATH_MAX: a longer path cannot exist in a container's file system. */
export const DEFAULT_MAX_PATH_BYTES = 4096;
/** A PAX header holds a few paths and numbers; 1 MiB allows large xattrs, nothing more. */
export const DEFAULT_MAX_META_BYTES = 1024 ** 2;
/** Biggest single file a visitor can get in memory (fat jars, Go binaries, rpmdb). */
export const DEFAULT_MAX_CONTENT_BYTES = 512 * 1024 ** 2;
export const DEFAULT_HARD_LINK_CACHE_BYTES = 32 * 1024 ** 2;

export const DEFAULT_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxRatio: DEFAULT_MAX_RATIO,
  bombMinBytes: DEFAULT_BOMB_MIN_BYTES,
  maxUncompressedBytes: DEFAULT_MAX_UNCOMPRESSED_BYTES,
  maxEntries: DEFAULT_MAX_ENTRIES,
  maxPathBytes: DEFAULT_MAX_PATH_BYTES,
  maxMetaBytes: DEFAULT_MAX_META_BYTES,
  maxContentBytes: DEFAULT_MAX_CONTENT_BYTES,
  hardLinkCacheBytes: DEFAULT_HARD_LINK_CACHE_BYTES,
});

export function resolveLimits(overrides: Partial<LayerLimits> | undefined): LayerLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

