/**
 * OS package databases that are there but could not be read: a symlink loop
 * where the database should be, the database replaced by a symlink (never
 * followed: paths in an image are data) or by a device or FIFO. Without this
 * the OS scanner sees no file and the image silently has "0 packages".
 */
import type { Skipped } from '../core/package.js';
import type { LayerRef, Scanner } from '../core/scanner.js';
import type { LayerStack } from '../layer/whiteout.js';

export function unreadOsDatabases<T extends Record<string, unknown>>(stack: LayerStack<T>, scanners: readonly Scanner[], refs: readonly LayerRef[]): Skipped[] {
  const out: Skipped[] = [];
  const wanted = new Map<string, Scanner>();
  for (const s of scanners) for (const p of s.databases ?? []) wanted.set(p, s);
  if (wanted.size === 0) return out;
  for (const [path, s] of wanted) {
    try {
      stack.resolve(path);
    } catch (e) {
      out.push({ scanner: s.id, path, reason: `cannot read the package database: ${e instanceof Error ? e.message : String(e)}`, incomplete: true });
      wanted.delete(path);
    }
  }
  for (const entry of stack.entries()) {
    const s = wanted.get(entry.path);
    if (!s) continue;
    const layer = (refs[entry.layer] ?? refs.find((r) => r.index === entry.layer))?.diffId;
    const at = { scanner: s.id, path: entry.path, ...(layer ? { layer } : {}), incomplete: true };
    if (entry.type === 'symlink') {
      out.push({ ...at, reason: `the package database is a symlink (to ${JSON.stringify(entry.linkTarget ?? '')}), which is not followed: no ${s.id} packages were read` });
    } else if (entry.type !== 'file' || !entry.value || !(s.id in entry.value)) {
      if (entry.type === 'dir') out.push({ ...at, reason: `the package database is a directory: no ${s.id} packages were read` });
      else out.push({ ...at, reason: `the package database is not a regular file (a device, FIFO or socket): no ${s.id} packages were read` });
    }
  }
  return out;
}
