/**
 * The inventory plug-in interface. A scanner reads the files it wants, one
 * at a time as each layer streams past (`parse`, cached per layer), then turns
 * the image's final file view into packages (`collect`). Adding an ecosystem
 * means one new Scanner and one line in src/inventory/registry.ts.
 */
import type { FileEntry } from './file.js';
import type { Distro, Package, Skipped } from './package.js';

export interface ScannedFile {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly content: Buffer;
}

export interface ParseContext {
  /** A problem inside a file that did not stop the parse (e.g. one garbled stanza of a status file). */
  warn(reason: string): void;
}

export interface LayerRef {
  index: number;
  diffId: string;
  digest?: string;
  createdBy?: string;
}

export interface ParsedFile<T> {
  path: string;
  layer: LayerRef;
  value: T;
}

/** The image as one scanner sees it after all layers are applied. */
export interface ScanView<T> {
  readonly layers: readonly LayerRef[];
  /** This scanner's files as they exist in the final image (top layer wins, whiteouts applied), sorted by path. */
  files(): ParsedFile<T>[];
  /** Every parsed version of `path`, bottom layer first, including versions later overwritten or deleted. */
  history(path: string): ParsedFile<T>[];
  /**
   * Follows symlinks (and `..`) in the final image as a chroot would: `..`
   * never leaves the image root. Returns the normalised path (whether it
   * exists is not checked), or undefined when the links loop.
   */
  resolve(path: string): string | undefined;
}

export interface CollectContext {
  /** The distribution, once the distro scanner has run (undefined for the distro scanner itself). */
  distro?: Distro;
  /** Records a file or record that could not be used. */
  skip(item: Skipped): void;
}

export interface CollectOutput {
  packages?: Package[];
  distro?: Distro;
}

export interface Scanner<T = unknown> {
  /** `os-release`, `dpkg`, `apk`, `rpm`, `npm`, `python`, `go-binary`, … */
  readonly id: string;
  /** Bump when parse or collect output changes: invalidates cached layer analyses and image inventories. */
  readonly version: number;
  /** `distro` scanners run first; their answer is in CollectContext.distro for the others. */
  readonly kind: 'distro' | 'os' | 'lang';
  /** Largest file parse() accepts; bigger files are skipped with a warning, never buffered. */
  readonly maxBytes: number;
  /**
   * OS scanners: where their package database lives. When one of these paths
   * exists but cannot be read (a symlink, a symlink loop, a device), the
   * inventory says so instead of silently listing no packages.
   */
  readonly databases?: readonly string[];
  /** Cheap: called for every regular file in every layer. */
  wants(path: string, entry: FileEntry): boolean;
  /**
   * Reads one file. The result is cached with its layer, so it must be plain
   * JSON data. Throwing marks the file as skipped (with the error message) and
   * the scan goes on.
   */
  parse(file: ScannedFile, ctx: ParseContext): T | undefined | Promise<T | undefined>;
  collect(view: ScanView<T>, ctx: CollectContext): CollectOutput;
}
