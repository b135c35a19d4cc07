/**
 * The unpack stage: one Layer (or a directory) → what a LayerVisitor
 * receives; plus the final file set of an image with OCI layer semantics.
 *
 * walkLayer(layer, visitor, options) → LayerStats
 * - compression by magic bytes (gzip, zstd, plain tar; bzip2/xz refused by
 *   name), the blob digest and the diffID verified in the same pass — the
 *   promise rejects with `digest-mismatch` at the end if either is wrong, and
 *   the caller must then discard what the visitor saw;
 * - `entry()` for every tar entry except the layer root and whiteout markers;
 *   paths normalised (src/core/file.ts); `.wh.NAME` → `whiteout(dir/NAME)`,
 *   `.wh..wh..opq` → `opaque(dir)`, other `.wh..wh.*` (aufs) ignored;
 * - for regular files and hard links, `wants()` → the whole content through
 *   `content()` (awaited before the next entry) or `oversize()`. A hard link's
 *   content is the file it links to, delivered when that file was read
 *   earlier in the layer and is still in the hard-link cache (limits);
 * - refused as `unsafe`: absolute names, `..` escaping the root, NUL bytes,
 *   hard links to anything but an earlier file of the same layer, a root
 *   that is not a directory; device nodes and FIFOs are valid entries
 *   (OCI layer.md), reported through `entry()` and never read; `corrupt`: broken gzip/zstd/tar, truncated blobs; `limit`:
 *   decompression bombs, entry counts, path lengths (limits.ts);
 * - safe to run for several layers at once: gzip inflates on the libuv pool,
 *   zstd in pooled worker threads, hashing and tar parsing on the main thread.
 *
 * walkDirectory(root, visitor, options): the same visitor over a real tree.
 * listImageFiles(image, options): path → FileEntry of the stacked image.
 * LayerStack: the stacking rules alone, for any per-path payload.
 */
export { proveLayerBlob, walkLayer, type WalkLayerOptions } from './walk-layer.js';
export { walkDirectory, type WalkDirectoryOptions } from './walk-directory.js';
export { listImageFiles, ChangeRecorder, IMPLIED_DIR_MODE, type ListImageFilesOptions } from './files.js';
export { LayerStack, changesOf, MAX_SYMLINK_HOPS, type LayerChange, type StackEntry, type LayerStackOptions } from './whiteout.js';
export { DEFAULT_LIMITS, resolveLimits, type LayerLimits } from './limits.js';
export { detectCompression, type Compression, type ZstdDecoder } from './decompress.js';
export { OPAQUE_MARKER, WHITEOUT_PREFIX } from './layer-entries.js';
