/**
 * The unpack stage: one Layer (or a directory) → the entries, whiteouts and
 * wanted file contents a LayerVisitor receives; plus the final file set of an
 * image with OCI layer semantics applied.
 */
export { walkLayer, type WalkLayerOptions } from './walk-layer.js';
export { walkDirectory, type WalkDirectoryOptions } from './walk-directory.js';
export { listImageFiles, ChangeRecorder, IMPLIED_DIR_MODE, type ListImageFilesOptions } from './files.js';
export { LayerStack, changesOf, MAX_SYMLINK_HOPS, type LayerChange, type StackEntry, type LayerStackOptions } from './whiteout.js';
export { DEFAULT_LIMITS, resolveLimits, type LayerLimits } from './limits.js';
export { detectCompression, type Compression, type ZstdDecoder } from './decompress.js';
export { OPAQUE_MARKER, WHITEOUT_PREFIX } from './layer-entries.js';
