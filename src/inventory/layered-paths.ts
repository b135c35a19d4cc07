/**
 * Path-keyed data across layers with OCI layer semantics: a layer's
 * whiteouts and opaque dirs delete what lower layers had, then its own
 * entries replace same-path entries below. Keeps every version of a path
 * (bottom first) for provenance questions such as "first layer that listed
 * this package".
 */

export interface LayerDeletions {
  /** Paths removed with everything below them (`.wh.NAME`). */
  whiteouts: readonly string[];
  /** Directories whose lower-layer children are hidden (`.wh..wh..opq`). */
  opaques: readonly string[];
}

export class LayeredPaths<T> {
  private readonly live = new Map<string, T>();
  private readonly versions = new Map<string, T[]>();

  /** Applies one layer: deletions first (they only affect lower layers), then this layer's entries. */
  applyLayer(deletions: LayerDeletions, entries: Iterable<[string, T]>, replaced: Iterable<string> = []): void {
    if (deletions.whiteouts.length || deletions.opaques.length) {
      const removed = new Set(deletions.whiteouts);
      const prefixes = [...deletions.whiteouts.map((w) => `${w}/`), ...deletions.opaques.map((d) => (d === '' ? '' : `${d}/`))];
      for (const path of [...this.live.keys()]) {
        if (removed.has(path) || prefixes.some((p) => path.startsWith(p))) this.live.delete(path);
      }
    }
    for (const path of replaced) this.live.delete(path);
    for (const [path, value] of entries) {
      this.live.set(path, value);
      const list = this.versions.get(path);
      if (list) list.push(value);
      else this.versions.set(path, [value]);
    }
  }

  /** What exists in the image after the layers applied so far. */
  current(): ReadonlyMap<string, T> {
    return this.live;
  }

  /** Every version of `path` ever added, bottom layer first (also deleted or replaced ones). */
  history(path: string): readonly T[] {
    return this.versions.get(path) ?? [];
  }
}

/** Most symlinks a path may pass through, as Linux's MAXSYMLINKS. */
const MAX_LINK_HOPS = 40;

/**
 * Follows symlinks like the kernel would inside a chroot of the image: an
 * absolute target restarts at the image root and `..` never climbs above it.
 * Returns the normalised path (existence is not checked), or undefined when
 * the links loop.
 */
export function resolveInImage(path: string, links: ReadonlyMap<string, string>): string | undefined {
  let pending = path.split('/').reverse();
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    resolved.push(part);
    const target = links.get(resolved.join('/'));
    if (target === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return undefined;
    resolved.pop();
    if (target.startsWith('/')) resolved.length = 0;
    pending = pending.concat(target.split('/').reverse());
  }
  return resolved.join('/');
}
