/**
 * What the unpack stage (src/layer/) hands to the inventory stage: the entries
 * of one layer (tar entries or a directory walk), whiteouts, and the content
 * of the regular files some scanner asked for.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'socket';

export interface FileEntry {
  /** Normalised path relative to the image root: no leading `/`, no `.`/`..` segments, `/`-separated. */
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits (and setuid/setgid/sticky), as in the tar header. */
  readonly mode: number;
  /** Content size in bytes for regular files, 0 otherwise. */
  readonly size: number;
  /** Symlink target as written (may be relative); for hard links, the normalised path of the target. */
  readonly linkTarget?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Modification time, seconds since the epoch. */
  readonly mtime?: number;
}

/**
 * Receives one layer's entries in archive order. `wants` is called for every
 * regular file (and hard link); returning a positive byte limit asks for the
 * content, which then arrives through `content` before the next entry. Files
 * larger than the limit are not read and `oversize` is called instead.
 */
export interface LayerVisitor {
  entry(entry: FileEntry): void;
  /** Byte limit for this file's content, or 0 to skip it. */
  wants(entry: FileEntry): number;
  content(entry: FileEntry, data: Buffer): void | Promise<void>;
  oversize?(entry: FileEntry, limit: number): void;
  /** A wanted file that exists but could not be read (permission denied, a loop): `reason` says why. */
  unreadable?(entry: FileEntry, reason: string): void;
  /** `.wh.NAME`: `path` (the deleted name) is removed from lower layers. */
  whiteout(path: string): void;
  /** `.wh..wh..opq`: everything lower layers had below `dir` is hidden. */
  opaque(dir: string): void;
}

export interface LayerStats {
  /** Compressed bytes read (blob size). */
  compressedBytes: number;
  /** Uncompressed tar bytes. */
  uncompressedBytes: number;
  entries: number;
  /** Detected compression. */
  compression: 'gzip' | 'zstd' | 'none' | 'directory';
}
