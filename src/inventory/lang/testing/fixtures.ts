/**
 * Helpers for the language-scanner tests: read the shared fixture files and
 * their EXPECTED.tsv, and run scanners over files placed at image paths.
 */
import { readFileSync } from 'node:fs';
import type { FileEntry } from '../../../core/file.js';
import type { Inventory, Package } from '../../../core/package.js';
import type { Scanner } from '../../../core/scanner.js';
import { LayerAnalyzer } from '../../analyze.js';
import { assembleInventory } from '../../assemble.js';
import { type InMemoryFile, inventoryFromFiles } from '../../from-files.js';
import { sharedData } from '../../../../test/support/paths.js';

export function fixture(...parts: string[]): Buffer {
  return readFileSync(sharedData('fixtures', ...parts));
}

/** Rows of an EXPECTED.tsv as objects keyed by its header line (comment lines skipped). */
export function expectedRows(...parts: string[]): Record<string, string>[] {
  const lines = readFileSync(sharedData('fixtures', ...parts), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  const header = (lines.shift() ?? '').split('\t');
  return lines.map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

export async function scan(scanners: readonly Scanner[], files: InMemoryFile[], keepOsOwned = false): Promise<Inventory> {
  return inventoryFromFiles(scanners, files, { keepOsOwned });
}

/** `name@version` of each package, sorted (the shape most expected lists are compared in). */
export function ids(packages: readonly Package[]): string[] {
  return packages.map((p) => `${p.name}@${p.version}`).sort();
}

export interface TestLayer {
  files: InMemoryFile[];
  /** Paths this layer deletes (`.wh.NAME`). */
  whiteouts?: string[];
}

/** The layers' diffIDs used by {@link scanLayers}: `sha256:layer0`, `sha256:layer1`, … */
export function layerId(index: number): string {
  return `sha256:layer${index}`;
}

/** Runs the real per-layer analysis and assembly over several in-memory layers, bottom first. */
export async function scanLayers(scanners: readonly Scanner[], layers: TestLayer[], keepOsOwned = false): Promise<Inventory> {
  const analysed = [];
  for (const [index, layer] of layers.entries()) {
    const analyzer = new LayerAnalyzer(scanners);
    for (const w of layer.whiteouts ?? []) analyzer.whiteout(w);
    for (const f of layer.files) {
      const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
      const entry: FileEntry = { path: f.path, type: 'file', mode: 0o644, size: content.length };
      analyzer.entry(entry);
      if (analyzer.wants(entry) > 0) await analyzer.content(entry, content);
    }
    analysed.push({ ref: { index, diffId: layerId(index) }, analysis: analyzer.analysis });
  }
  return assembleInventory(analysed, scanners, { keepOsOwned });
}
