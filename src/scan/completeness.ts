/**
 * Whether an inventory is known to be incomplete: a package database or
 * lockfile that could not be read at all (too large, unreadable, not a
 * regular file, a symlink loop where it should be, a scanner that failed).
 * Each such item is a warning naming the image, layer and path; and an
 * `--exit-code` gate does not pass on such an inventory (exit 2 with the
 * reason) unless the user opts out with `--allow-incomplete`.
 */
import { StrataError, formatWhere } from '../core/errors.js';
import type { Skipped } from '../core/package.js';
import type { ScanResult } from '../core/result.js';
import { escapeForTerminal } from '../util/terminal-text.js';

export function incompleteItems(result: Pick<ScanResult, 'skipped'>): Skipped[] {
  return result.skipped.filter((s) => s.incomplete === true);
}

/** "image X, layer L, path P: dpkg: reason" */
export function describeSkipped(image: string, s: Skipped): string {
  const where = formatWhere({ image, ...(s.layer ? { layer: s.layer } : {}), ...(s.path ? { path: s.path } : {}) });
  return escapeForTerminal(`${where}${s.scanner ? `${s.scanner}: ` : ''}${s.reason}`);
}

/** The warnings to print: one per incomplete item (the first `max` of them, then a count). */
export function incompleteWarnings(result: Pick<ScanResult, 'skipped' | 'artifact'>, max = 20): string[] {
  const items = incompleteItems(result);
  const out = items.slice(0, max).map((s) => `${describeSkipped(result.artifact.name, s)}; the package list is incomplete`);
  if (items.length > max) out.push(`image ${escapeForTerminal(result.artifact.name)}: ${items.length - max} more files could not be read (see skipped[] in the JSON report)`);
  return out;
}

/** Throws (exit 2) when a gate would judge an incomplete inventory. */
export function assertCompleteForGate(results: ReadonlyArray<Pick<ScanResult, 'skipped' | 'artifact'>>): void {
  for (const r of results) {
    const items = incompleteItems(r);
    const first = items[0];
    if (!first) continue;
    throw new StrataError(
      'corrupt',
      `the package list is incomplete (${items.length === 1 ? '1 file' : `${items.length} files`} could not be read; first: ${first.path ?? first.scanner ?? 'unknown'}${first.layer ? ` in layer ${first.layer}` : ''}: ${first.reason}), so --exit-code cannot pass it; fix the image, or pass --allow-incomplete to gate on what was read`,
      { image: r.artifact.name },
    );
  }
}
