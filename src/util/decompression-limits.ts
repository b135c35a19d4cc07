/**
 * Decompression-bomb thresholds, for layers (layer/limits.ts) and for whole
 * gzip'd archives given as input (image/archive-gunzip.ts).
 */

/**
 * Real layers compress 2:1 to 10:1 (text, binaries, already-compressed
 * archives); gzip's own ceiling is ~1030:1 and only runs of identical bytes
 * get near it. A layer that expands more than 200:1 *and* past 256 MiB is a
 * zero-filled file or an attack. 256 MiB keeps small, very compressible layers
 * (a layer with one big sparse log, a config-only layer) out of the ratio
 * check entirely, and stops a gzip bomb after ~0.5 s of inflate.
 */
export const DEFAULT_MAX_RATIO = 200;
export const DEFAULT_BOMB_MIN_BYTES = 256 * 1024 ** 2;

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
