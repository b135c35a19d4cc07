/**
 * Helpers for the language-scanner tests: read the shared fixture files and
 * their EXPECTED.tsv, and run scanners over files placed at image paths.
 */
import { readFileSync } from 'node:fs';
import type { Inventory, Package } from '../../../core/package.js';
import type { Scanner } from '../../../core/scanner.js';
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
