/**
 * Inventory of files held in memory, as one layer or several: for library
 * users who have files but no image, and for scanner tests on fixture files
 * (the real per-layer analysis and assembly run on them).
 */
import type { FileEntry } from '../core/file.js';
import type { Inventory } from '../core/package.js';
import type { Scanner } from '../core/scanner.js';
import { LayerAnalyzer } from './analyze.js';
import { type AnalysedLayer, type AssembleOptions, assembleInventory } from './assemble.js';

export interface InMemoryFile {
  /** Image path, relative, `/`-separated (`var/lib/dpkg/status`). */
  path: string;
  content: Buffer | string;
  /** Defaults to 0o644; give 0o755 for executables. */
  mode?: number;
}

/** One entry of an in-memory layer: a file, a symlink, a whiteout or an opaque directory marker. */
export type InMemoryEntry = InMemoryFile | { path: string; link: string } | { whiteout: string } | { opaque: string };

export const IN_MEMORY_LAYER = 'sha256:in-memory';

/** The diffID given to in-memory layer `i`. */
export const inMemoryLayerId = (i: number): string => `sha256:${String(i).padStart(64, '0')}`;

export async function inventoryFromLayers(
  scanners: readonly Scanner[],
  layers: readonly (readonly InMemoryEntry[])[],
  options: AssembleOptions = {},
  diffIdOf: (index: number) => string = inMemoryLayerId,
): Promise<Inventory> {
  const analysed: AnalysedLayer[] = [];
  for (const [index, entries] of layers.entries()) {
    const analyzer = new LayerAnalyzer(scanners);
    for (const e of entries) {
      if ('whiteout' in e) analyzer.whiteout(e.whiteout);
      else if ('opaque' in e) analyzer.opaque(e.opaque);
      else if ('link' in e) analyzer.entry({ path: e.path.replace(/^\/+/, ''), type: 'symlink', mode: 0o777, size: 0, linkTarget: e.link });
      else {
        const content = typeof e.content === 'string' ? Buffer.from(e.content) : e.content;
        const entry: FileEntry = { path: e.path.replace(/^\/+/, ''), type: 'file', mode: e.mode ?? 0o644, size: content.length };
        analyzer.entry(entry);
        const limit = analyzer.wants(entry);
        if (limit > 0 && content.length <= limit) await analyzer.content(entry, content);
        else if (limit > 0) analyzer.oversize(entry, limit);
      }
    }
    analysed.push({ ref: { index, diffId: diffIdOf(index) }, analysis: analyzer.analysis });
  }
  return assembleInventory(analysed, scanners, options);
}

export function inventoryFromFiles(scanners: readonly Scanner[], files: readonly InMemoryFile[], options: AssembleOptions = {}): Promise<Inventory> {
  return inventoryFromLayers(scanners, [files], options, () => IN_MEMORY_LAYER);
}
