/**
 * The usual `collect` of a scanner that reads files independently: packages
 * of each file, appended without a spread (lists grow with the image), and a
 * file whose packages cannot be built skipped with its path, layer and reason
 * while the others are still collected — one bad lockfile never takes every
 * lockfile of the image down with it.
 */
import type { Package } from '../core/package.js';
import type { CollectContext, CollectOutput, ParsedFile, ScanView } from '../core/scanner.js';
import { appendAll } from '../util/arrays.js';

export function collectPerFile<T>(
  view: ScanView<T>,
  ctx: CollectContext,
  scanner: string,
  packagesOf: (file: ParsedFile<T>) => Iterable<Package>,
): CollectOutput {
  const packages: Package[] = [];
  for (const file of view.files()) {
    try {
      appendAll(packages, packagesOf(file));
    } catch (e) {
      ctx.skip({ scanner, path: file.path, layer: file.layer.diffId, reason: `could not list its packages: ${e instanceof Error ? e.message : String(e)}`, incomplete: true });
    }
  }
  return { packages };
}
