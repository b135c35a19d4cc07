/**
 * Inventory of files held in memory, as one layer: for library users who
 * have files but no image, and for scanner tests on fixture files.
 */
import type { FileEntry } from '../core/file.js';
import type { Inventory } from '../core/package.js';
import type { Scanner } from '../core/scanner.js';
import { LayerAnalyzer } from './analyze.js';
import { type AssembleOptions, assembleInventory } from './assemble.js';

export interface InMemoryFile {
  /** Image path, relative, `/`-separated (`var/lib/dpkg/status`). */
  path: string;
  content: Buffer | string;
  /** Defaults to 0o644; give 0o755 for executables. */
  mode?: number;
}

export const IN_MEMORY_LAYER = 'sha256:in-memory';

export async function inventoryFromFiles(
  scanners: readonly Scanner[],
  files: readonly InMemoryFile[],
  options: AssembleOptions = {},
): Promise<Inventory> {
  const analyzer = new LayerAnalyzer(scanners);
  for (const f of files) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    const entry: FileEntry = { path: f.path.replace(/^\/+/, ''), type: 'file', mode: f.mode ?? 0o644, size: content.length };
    analyzer.entry(entry);
    const limit = analyzer.wants(entry);
    if (limit > 0 && content.length <= limit) await analyzer.content(entry, content);
    else if (limit > 0) analyzer.oversize(entry, limit);
  }
  return assembleInventory([{ ref: { index: 0, diffId: IN_MEMORY_LAYER }, analysis: analyzer.analysis }], scanners, options);
}
