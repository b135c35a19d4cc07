/**
 * How layers stack into one file system, per the OCI image spec (layer.md,
 * "Applying Changesets" and "Whiteouts") and the way umoci and containerd
 * apply a layer, with any payload per path:
 *
 * - an entry replaces what a lower layer had at its path; a directory over a
 *   directory only updates it (children stay), anything else drops the old
 *   node with everything below it;
 * - parent directories are looked up through symlinks already in the image
 *   (a layer adding `lib/x` over a `lib -> usr/lib` link adds `usr/lib/x`),
 *   with `..` and absolute targets held inside the image root;
 * - `.wh.NAME` deletes NAME and all below it, `.wh..wh..opq` deletes all
 *   children of its directory — but only what lower layers put there: paths
 *   this layer already created (and their parent directories) survive, so a
 *   whiteout's position in the tar does not matter for well-formed layers;
 * - a hard link takes the content and metadata of the file it names, as it is
 *   when the link is applied.
 *
 * Used by listImageFiles (payload: FileEntry) and usable by the image
 * assembler with per-layer scan results as payloads.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { EntryType } from '../core/file.js';
import { printable } from './paths.js';

/**
 * One change of one layer, in archive order. Paths are normalised
 * (src/core/file.ts). A `hardlink` entry needs the file it names to be in the
 * stack already (it is refused otherwise); a caller that keeps only some
 * files of a layer should pass hard links as `file` entries with their own
 * payload.
 */
export type LayerChange<T> =
  | { kind: 'entry'; path: string; type: EntryType; linkTarget?: string; value: T }
  | { kind: 'whiteout'; path: string }
  | { kind: 'opaque'; dir: string };

/** A path that exists in the stacked image. */
export interface StackEntry<T> {
  /** Where it ends up (differs from the layer's path when a parent was a symlink). */
  path: string;
  type: EntryType;
  /** The payload of the entry; undefined for directories no layer listed (implied parents). */
  value: T | undefined;
  /** For hard links: the payload of the file they link to, as it was when the link was applied. */
  linkedValue?: T | undefined;
  linkTarget?: string;
  /** Index of the layer that put it there; -1 for implied directories of the image root. */
  layer: number;
}

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINK_HOPS = 40;

interface Node<T> {
  type: EntryType;
  value: T | undefined;
  linkedValue?: T | undefined;
  linkTarget?: string;
  layer: number;
  /** Last layer that created this node or something below it (umoci's "upper" paths). */
  upper: number;
  children?: Map<string, Node<T>>;
}

export interface LayerStackOptions {
  /** Image (and anything else) to name in errors. */
  where?: ErrorWhere;
  /** Called for odd but tolerated input (a file where a parent directory should be). */
  onWarning?: (message: string) => void;
}

export class LayerStack<T> {
  private readonly root: Node<T> = { type: 'dir', value: undefined, layer: -1, upper: -1, children: new Map() };
  private count = 0;

  constructor(private readonly options: LayerStackOptions = {}) {}

  /** Number of paths in the image (the root not counted). */
  get size(): number {
    return this.count;
  }

  /**
   * Applies one layer's changes in archive order. `layer` must grow from call
   * to call (it is what tells this layer's paths from lower ones).
   */
  applyLayer(layer: number, changes: Iterable<LayerChange<T>>, where: ErrorWhere = {}): void {
    const at = { ...this.options.where, ...where };
    for (const change of changes) {
      switch (change.kind) {
        case 'whiteout':
          this.whiteout(layer, change.path, at);
          break;
        case 'opaque':
          this.opaque(layer, change.dir, at);
          break;
        case 'entry':
          this.add(layer, change, at);
          break;
      }
    }
  }

  /** The entry at `path` itself (symlinks in parents are followed, the last component is not). */
  get(path: string): StackEntry<T> | undefined {
    const { parent, name } = this.split(path);
    if (name === '') return undefined;
    const dirPath = this.resolve(parent.join('/'));
    const dir = this.walk(dirPath === '' ? [] : dirPath.split('/'), -1, false, { path });
    const node = dir?.children?.get(name);
    return node ? this.toEntry(dirPath === '' ? name : `${dirPath}/${name}`, node) : undefined;
  }

  /**
   * Where `path` leads inside the image, following every symlink (the last
   * component too) the way the kernel would in a chroot of the image.
   * Missing components are kept as written. Throws `unsafe` on a loop.
   */
  resolve(path: string, where: ErrorWhere = {}): string {
    const at = { ...this.options.where, ...where, path };
    const names: string[] = [];
    const nodes: Array<Node<T> | undefined> = [this.root];
    const pending = path.split('/').reverse();
    let hops = 0;
    while (pending.length) {
      const seg = pending.pop() as string;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (names.length) {
          names.pop();
          nodes.pop();
        }
        continue;
      }
      const node = nodes[nodes.length - 1]?.children?.get(seg);
      if (node?.type === 'symlink') {
        if (++hops > MAX_SYMLINK_HOPS) throw this.loop(path, at);
        const target = node.linkTarget ?? '';
        if (target.startsWith('/')) {
          names.length = 0;
          nodes.length = 1;
        }
        for (const s of target.split('/').reverse()) pending.push(s);
        continue;
      }
      names.push(seg);
      nodes.push(node);
    }
    return names.join('/');
  }

  /** Every path of the image, parents before children, siblings in code-unit order. */
  *entries(): Generator<StackEntry<T>> {
    const stack: Array<[string, Node<T>]> = [['', this.root]];
    while (stack.length) {
      const [path, node] = stack.pop() as [string, Node<T>];
      if (node !== this.root) yield this.toEntry(path, node);
      if (!node.children?.size) continue;
      const names = [...node.children.keys()].sort().reverse();
      for (const name of names) stack.push([path === '' ? name : `${path}/${name}`, node.children.get(name) as Node<T>]);
    }
  }

  private add(layer: number, change: Extract<LayerChange<T>, { kind: 'entry' }>, at: ErrorWhere): void {
    const { parent, name } = this.split(change.path);
    if (name === '') return; // the root itself: nothing to place
    const where = { ...at, path: printable(change.path) };
    const dir = this.walk(parent, layer, true, where) as Node<T>;
    const children = dir.children as Map<string, Node<T>>;
    const existing = children.get(name);

    let linkedValue: T | undefined;
    if (change.type === 'hardlink') {
      const target = change.linkTarget === undefined ? undefined : this.lookupNoFollow(change.linkTarget, where);
      if (!target || target.type === 'dir') {
        throw new StrataError(
          'unsafe',
          `hard link to ${JSON.stringify(printable(change.linkTarget ?? ''))}, which is not a file in the image`,
          where,
        );
      }
      linkedValue = target.type === 'hardlink' ? target.linkedValue : target.value;
    }

    if (existing && existing.type === 'dir' && change.type === 'dir') {
      existing.value = change.value;
      existing.layer = layer;
      existing.upper = layer;
      return;
    }
    const node: Node<T> = { type: change.type, value: change.value, layer, upper: layer };
    if (change.linkTarget !== undefined) node.linkTarget = change.linkTarget;
    if (change.type === 'hardlink') node.linkedValue = linkedValue;
    if (change.type === 'dir') node.children = new Map();
    if (existing) this.count -= countNodes(existing);
    children.set(name, node);
    this.count++;
  }

  private whiteout(layer: number, path: string, at: ErrorWhere): void {
    const { parent, name } = this.split(path);
    const dir = this.walk(parent, -1, false, { ...at, path: printable(path) });
    const node = dir?.children?.get(name);
    if (!dir || !node) return;
    this.removeLower(dir, name, node, layer);
  }

  private opaque(layer: number, path: string, at: ErrorWhere): void {
    const dir = this.walk(path === '' ? [] : path.split('/'), -1, false, { ...at, path: printable(path) });
    if (!dir?.children) return;
    for (const [name, child] of [...dir.children]) this.removeLower(dir, name, child, layer);
  }

  /** Deletes `node` unless this layer touched it; then only its lower-layer descendants go. */
  private removeLower(parent: Node<T>, name: string, node: Node<T>, layer: number): void {
    if (node.upper !== layer) {
      parent.children?.delete(name);
      this.count -= countNodes(node);
      return;
    }
    if (!node.children) return;
    for (const [childName, child] of [...node.children]) this.removeLower(node, childName, child, layer);
  }

  /**
   * Walks the directory `segments`, following symlinks. With `create`, missing
   * directories are made (implied parents) and each one passed is marked as
   * touched by `layer`; without it, returns undefined when the path does not
   * lead to a directory.
   */
  private walk(segments: string[], layer: number, create: boolean, where: ErrorWhere): Node<T> | undefined {
    const stack: Array<Node<T>> = [this.root];
    const pending = segments.slice().reverse();
    let hops = 0;
    let cur = this.root;
    while (pending.length) {
      const seg = pending.pop() as string;
      if (seg === '' || seg === '.') continue;
      if (seg === '..') {
        if (stack.length > 1) stack.pop();
        cur = stack[stack.length - 1] as Node<T>;
        continue;
      }
      let child = cur.children?.get(seg);
      if (child?.type === 'symlink') {
        if (++hops > MAX_SYMLINK_HOPS) throw this.loop(where.path ?? segments.join('/'), where);
        const target = child.linkTarget ?? '';
        if (target.startsWith('/')) {
          stack.length = 1;
          cur = this.root;
        }
        for (const s of target.split('/').reverse()) pending.push(s);
        continue;
      }
      if (!child || child.type !== 'dir') {
        if (!create) return undefined;
        if (child) {
          // Extractors fail here (ENOTDIR); a scanner keeps going with the directory the layer implies.
          this.options.onWarning?.(`${where.path ?? seg}: parent ${seg} is a ${child.type}, treated as a directory`);
          this.count -= countNodes(child);
        }
        child = { type: 'dir', value: undefined, layer, upper: layer, children: new Map() };
        (cur.children as Map<string, Node<T>>).set(seg, child);
        this.count++;
      }
      if (create) child.upper = layer;
      stack.push(child);
      cur = child;
    }
    return cur;
  }

  private lookupNoFollow(path: string, where: ErrorWhere): Node<T> | undefined {
    const { parent, name } = this.split(path);
    if (name === '') return this.root;
    return this.walk(parent, -1, false, where)?.children?.get(name);
  }

  private split(path: string): { parent: string[]; name: string } {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    const name = parts.pop() ?? '';
    return { parent: parts, name };
  }

  private toEntry(path: string, node: Node<T>): StackEntry<T> {
    const entry: StackEntry<T> = { path, type: node.type, value: node.value, layer: node.layer };
    if (node.linkTarget !== undefined) entry.linkTarget = node.linkTarget;
    if (node.type === 'hardlink') entry.linkedValue = node.linkedValue;
    return entry;
  }

  private loop(path: string, where: ErrorWhere): StrataError {
    return new StrataError('unsafe', `symlink loop: more than ${MAX_SYMLINK_HOPS} symlinks while resolving ${JSON.stringify(printable(path))}`, {
      ...where,
      path: printable(path),
    });
  }
}

function countNodes<T>(node: Node<T>): number {
  let n = 1;
  if (node.children) for (const c of node.children.values()) n += countNodes(c);
  return n;
}

/**
 * Orders per-layer results kept as separate lists (whiteouts, opaque dirs,
 * entries) the way layer.md applies them: deletions first, then entries.
 */
export function* changesOf<T>(
  deletions: { whiteouts: Iterable<string>; opaques: Iterable<string> },
  entries: Iterable<Extract<LayerChange<T>, { kind: 'entry' }>>,
): Generator<LayerChange<T>> {
  for (const dir of deletions.opaques) yield { kind: 'opaque', dir };
  for (const path of deletions.whiteouts) yield { kind: 'whiteout', path };
  yield* entries;
}
