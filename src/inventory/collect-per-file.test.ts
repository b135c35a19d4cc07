import { describe, expect, it } from 'vitest';
import type { Package, Skipped } from '../core/package.js';
import type { LayerRef, ParsedFile, ScanView } from '../core/scanner.js';
import { collectPerFile } from './collect-per-file.js';

const layer: LayerRef = { index: 0, diffId: 'sha256:aaaa' };

function viewOf(files: Array<ParsedFile<number>>): ScanView<number> {
  return { layers: [layer], files: () => files, history: () => [], resolve: (p) => p };
}

const pkg = (name: string): Package => ({ name, version: '1', ecosystem: 'npm', purl: `pkg:npm/${name}@1`, kind: 'lang', paths: [], foundBy: 'npm-lock' });

describe('collectPerFile', () => {
  it('a file whose packages cannot be listed is skipped with its path and layer; the others are still collected', () => {
    const skipped: Skipped[] = [];
    const view = viewOf([
      { path: 'a/package-lock.json', layer, value: 2 },
      { path: 'big/package-lock.json', layer, value: -1 },
      { path: 'c/package-lock.json', layer, value: 1 },
    ]);
    const out = collectPerFile(view, { skip: (s) => skipped.push(s) }, 'npm-lock', (f) => {
      if (f.value < 0) throw new RangeError('Maximum call stack size exceeded');
      return Array.from({ length: f.value }, (_, i) => pkg(`${f.path}-${i}`));
    });
    expect(out.packages).toHaveLength(3);
    expect(skipped).toEqual([
      { scanner: 'npm-lock', path: 'big/package-lock.json', layer: 'sha256:aaaa', reason: 'could not list its packages: Maximum call stack size exceeded', incomplete: true },
    ]);
  });

  it('appends 300,000 packages of one file without a spread', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => pkg(`p${i}`));
    const out = collectPerFile(viewOf([{ path: 'x', layer, value: 0 }]), { skip: () => undefined }, 'npm-lock', () => many);
    expect(out.packages).toHaveLength(300_000);
  });
});
