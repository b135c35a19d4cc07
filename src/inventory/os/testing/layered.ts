/**
 * Test helper: an image of several in-memory layers (files, symlinks,
 * whiteouts) run through the real per-layer analysis and assembly, for
 * provenance and symlink cases that a single-layer `inventoryFromFiles`
 * cannot express.
 */
import type { FileEntry } from '../../../core/file.js';
import type { Inventory } from '../../../core/package.js';
import type { Scanner } from '../../../core/scanner.js';
import { LayerAnalyzer } from '../../analyze.js';
import { assembleInventory } from '../../assemble.js';

export type LayerEntry =
  | { path: string; content: string | Buffer }
  | { path: string; link: string }
  | { whiteout: string }
  | { opaque: string };

export const layerId = (i: number) => `sha256:${String(i).padStart(64, '0')}`;

export async function inventoryFromLayers(scanners: readonly Scanner[], layers: readonly (readonly LayerEntry[])[]): Promise<Inventory> {
  const analysed = [];
  for (const [index, entries] of layers.entries()) {
    const analyzer = new LayerAnalyzer(scanners);
    for (const e of entries) {
      if ('whiteout' in e) analyzer.whiteout(e.whiteout);
      else if ('opaque' in e) analyzer.opaque(e.opaque);
      else if ('link' in e) analyzer.entry({ path: e.path, type: 'symlink', mode: 0o777, size: 0, linkTarget: e.link });
      else {
        const content = typeof e.content === 'string' ? Buffer.from(e.content) : e.content;
        const entry: FileEntry = { path: e.path, type: 'file', mode: 0o644, size: content.length };
        analyzer.entry(entry);
        const limit = analyzer.wants(entry);
        if (limit > 0 && content.length <= limit) await analyzer.content(entry, content);
        else if (limit > 0) analyzer.oversize(entry, limit);
      }
    }
    analysed.push({ ref: { index, diffId: layerId(index) }, analysis: analyzer.analysis });
  }
  return assembleInventory(analysed, scanners);
}
