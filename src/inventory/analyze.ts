/**
 * Per-layer analysis: runs every scanner's `parse` over the files of one
 * layer as it streams past, and records what a later merge needs (whiteouts,
 * opaque dirs, symlinks). The result is plain JSON so it can be cached by
 * the layer's diffID: a layer is analysed once, whatever image it is in.
 */
import type { FileEntry, LayerVisitor } from '../core/file.js';
import type { Scanner } from '../core/scanner.js';

/** One file's outcome for one scanner, kept short because caches hold thousands. */
export interface FileResult {
  /** parse() output; absent when the file yielded nothing (it still shadows lower layers). */
  v?: unknown;
  /** parse() threw: the reason (the file is reported as skipped). */
  e?: string;
  /** Problems inside the file that did not stop the parse. */
  w?: string[];
  /** Not read: the file's size exceeded the scanner's limit. */
  o?: number;
}

export const LAYER_ANALYSIS_FORMAT = 1;

export interface LayerAnalysis {
  format: typeof LAYER_ANALYSIS_FORMAT;
  /** Scanner id → version that produced `results`. */
  scanners: Record<string, number>;
  /** Scanner id → layer path → outcome. */
  results: Record<string, Record<string, FileResult>>;
  /** Paths deleted from lower layers (`.wh.NAME`). */
  whiteouts: string[];
  /** Directories whose lower-layer contents are hidden (`.wh..wh..opq`). */
  opaques: string[];
  /** Symlinks in this layer: path → target as written. */
  symlinks: Record<string, string>;
  /** Paths of entries that are neither files nor symlinks but replace whatever lower layers had there. */
  others: string[];
}

export function emptyAnalysis(scanners: readonly Scanner[]): LayerAnalysis {
  return {
    format: LAYER_ANALYSIS_FORMAT,
    scanners: Object.fromEntries(scanners.map((s) => [s.id, s.version])),
    results: Object.fromEntries(scanners.map((s) => [s.id, {}])),
    whiteouts: [],
    opaques: [],
    symlinks: {},
    others: [],
  };
}

/** A LayerVisitor that feeds the files scanners want to their parse(). */
export class LayerAnalyzer implements LayerVisitor {
  readonly analysis: LayerAnalysis;
  private pending: Scanner[] = [];

  constructor(private readonly scanners: readonly Scanner[]) {
    this.analysis = emptyAnalysis(scanners);
  }

  entry(entry: FileEntry): void {
    switch (entry.type) {
      case 'symlink':
        this.analysis.symlinks[entry.path] = entry.linkTarget ?? '';
        break;
      case 'hardlink':
        this.copyHardLink(entry);
        break;
      case 'dir':
        break;
      case 'file':
        break;
      default:
        this.analysis.others.push(entry.path);
    }
  }

  wants(entry: FileEntry): number {
    if (entry.type !== 'file') return 0;
    let limit = 0;
    const pending: Scanner[] = [];
    for (const s of this.scanners) {
      if (!s.wants(entry.path, entry)) continue;
      if (entry.size > s.maxBytes) {
        this.record(s, entry.path, { o: entry.size });
        continue;
      }
      pending.push(s);
      if (s.maxBytes > limit) limit = s.maxBytes;
    }
    this.pending = pending;
    return pending.length ? Math.max(limit, entry.size) : 0;
  }

  async content(entry: FileEntry, data: Buffer): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const s of pending) {
      const warnings: string[] = [];
      const result: FileResult = {};
      try {
        const value = await s.parse({ path: entry.path, mode: entry.mode, size: entry.size, content: data }, {
          warn: (reason) => warnings.push(reason),
        });
        if (value !== undefined) result.v = value;
      } catch (e) {
        result.e = e instanceof Error ? e.message : String(e);
      }
      if (warnings.length) result.w = warnings;
      this.record(s, entry.path, result);
    }
  }

  unreadable(entry: FileEntry, reason: string): void {
    for (const s of this.pending) this.record(s, entry.path, { e: `cannot read the file: ${reason}` });
    this.pending = [];
  }

  oversize(entry: FileEntry, _limit: number): void {
    for (const s of this.pending) this.record(s, entry.path, { o: entry.size });
    this.pending = [];
  }

  whiteout(path: string): void {
    this.analysis.whiteouts.push(path);
  }

  opaque(dir: string): void {
    this.analysis.opaques.push(dir);
  }

  /** A hard link has no content of its own in a tar: it shares the result of the file it names. */
  private copyHardLink(entry: FileEntry): void {
    const target = entry.linkTarget;
    for (const s of this.scanners) {
      const results = this.analysis.results[s.id];
      if (!results) continue;
      const targetResult = target !== undefined ? results[target] : undefined;
      if (targetResult) {
        results[entry.path] = targetResult;
      } else if (s.wants(entry.path, { ...entry, type: 'file' })) {
        results[entry.path] = { e: `hard link to ${target ?? '?'}, whose content was not read` };
      }
    }
  }

  private record(s: Scanner, path: string, result: FileResult): void {
    const results = this.analysis.results[s.id];
    if (results) results[path] = result;
  }
}
