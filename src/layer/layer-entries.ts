/**
 * Turns tar headers into what a LayerVisitor sees: normalised paths,
 * whiteouts and opaque markers, hard links checked against this layer, the
 * refusals (escaping names, links out of the layer), and content for the files the
 * visitor wants — whole, in one buffer, before the next entry. Device
 * nodes and FIFOs are valid layer entries (OCI image-spec layer.md): they are
 * reported like any other entry and never read.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { EntryType, FileEntry, LayerVisitor } from '../core/file.js';
import type { Logger } from '../core/log.js';
import type { LayerLimits } from './limits.js';
import { baseOf, joinPath, normaliseLayerPath, parentOf, printable } from './paths.js';
import type { BodySink, TarHandler, TarHeader } from './tar.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** `.wh..wh.` names other than the opaque marker are aufs bookkeeping (`.wh..wh.plnk`, `.wh..wh.orph`). */
const AUFS_META = /(^|\/)\.wh\.\.wh\./;

export interface LayerEntriesOptions {
  where: ErrorWhere;
  limits: LayerLimits;
  logger: Logger;
}

export class LayerEntries implements TarHandler {
  /** Regular files of this layer seen so far → size (hard link targets). */
  private readonly files = new Map<string, number>();
  /** Hard link path → the regular file whose data it shares. */
  private readonly linkRoots = new Map<string, string>();
  /** Delivered contents, kept for later hard links (oldest evicted first). */
  private readonly retained = new Map<string, Buffer>();
  private retainedBytes = 0;
  private count = 0;

  constructor(
    private readonly visitor: LayerVisitor,
    private readonly options: LayerEntriesOptions,
  ) {}

  entry(h: TarHeader): BodySink | undefined {
    const { where, limits } = this.options;
    if (++this.count > limits.maxEntries) {
      throw new StrataError('limit', `layer has more than ${limits.maxEntries} entries`, where);
    }
    const path = normaliseLayerPath(h.name, where, limits.maxPathBytes);
    // Built only on the way to an error: this runs for every entry.
    const at = (): ErrorWhere => ({ ...where, path: printable(path === '' ? h.name : path) });
    if (path === '') {
      // The layer root: only its metadata could change, and a root that is
      // not a directory would turn the whole image into one file or link.
      if (h.type !== 'dir') throw new StrataError('unsafe', `layer root entry ${JSON.stringify(h.name)} is a ${h.type}, not a directory`, at());
      return undefined;
    }

    const base = baseOf(path);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      this.marker(path, base, at());
      return undefined;
    }
    if (path.includes('.wh..wh.') && AUFS_META.test(path)) return undefined;

    const type: EntryType = h.type;

    let size = h.size;
    let linkTarget: string | undefined;
    let linkRoot: string | undefined;
    if (type === 'hardlink') {
      linkTarget = normaliseLayerPath(h.linkname, at(), limits.maxPathBytes, 'hard link target');
      const targetSize = this.files.get(linkTarget);
      if (targetSize === undefined) {
        // Tar writers (Go, GNU, BuildKit, umoci) only link to a file stored
        // earlier in the same archive; anything else points outside the layer.
        throw new StrataError(
          'unsafe',
          `hard link to ${JSON.stringify(printable(h.linkname))}, which is not a file stored earlier in this layer`,
          at(),
        );
      }
      size = targetSize;
      linkRoot = this.linkRoots.get(linkTarget) ?? linkTarget;
      this.files.set(path, size);
      this.linkRoots.set(path, linkRoot);
      if (linkRoot !== path) this.forget(path);
    } else if (type === 'symlink') {
      linkTarget = h.linkname;
      if (linkTarget.includes('\0')) throw new StrataError('unsafe', 'symlink target contains a NUL byte', at());
      if (linkTarget.length * 3 > limits.maxPathBytes && Buffer.byteLength(linkTarget) > limits.maxPathBytes) {
        throw new StrataError('limit', `symlink target is over the ${limits.maxPathBytes}-byte limit`, at());
      }
    }
    if (type === 'file') {
      this.files.set(path, size);
      this.linkRoots.delete(path);
      this.forget(path);
    } else if (type !== 'hardlink') {
      this.files.delete(path);
    }

    const entry: FileEntry = {
      path,
      type,
      mode: h.mode,
      size: type === 'file' || type === 'hardlink' ? size : 0,
      ...(linkTarget !== undefined ? { linkTarget } : {}),
      uid: h.uid,
      gid: h.gid,
      mtime: h.mtime,
    };
    this.visitor.entry(entry);
    if (type !== 'file' && type !== 'hardlink') return undefined;

    const asked = this.visitor.wants(entry);
    if (!(asked > 0)) return undefined;
    const limit = Math.min(asked, limits.maxContentBytes);
    if (entry.size > limit) {
      this.visitor.oversize?.(entry, limit);
      return undefined;
    }
    if (type === 'file') {
      return (data) => {
        this.retain(path, data);
        return this.visitor.content(entry, data);
      };
    }
    const data = this.retained.get(linkRoot as string);
    if (data) return () => this.visitor.content(entry, data);
    this.options.logger.debug(
      `${printable(path)}: hard link to ${printable(linkTarget ?? '')}, whose content was not kept (not wanted, or over the ${limits.hardLinkCacheBytes}-byte hard link cache)`,
    );
    return undefined;
  }

  /** `.wh.NAME` and `.wh..wh..opq`. */
  private marker(path: string, base: string, at: ErrorWhere): void {
    const dir = parentOf(path);
    if (base === OPAQUE_MARKER) {
      this.visitor.opaque(dir);
      return;
    }
    if (base.startsWith('.wh..wh.')) return; // aufs bookkeeping, no meaning in OCI
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') {
      throw new StrataError('unsafe', `whiteout ${JSON.stringify(base)} would delete its own directory or a parent`, at);
    }
    this.visitor.whiteout(joinPath(dir, name));
  }

  private retain(path: string, data: Buffer): void {
    const budget = this.options.limits.hardLinkCacheBytes;
    if (data.length > budget) return;
    this.forget(path);
    for (const [p, b] of this.retained) {
      if (this.retainedBytes + data.length <= budget) break;
      this.retained.delete(p);
      this.retainedBytes -= b.length;
    }
    this.retained.set(path, data);
    this.retainedBytes += data.length;
  }

  private forget(path: string): void {
    const old = this.retained.get(path);
    if (old) {
      this.retained.delete(path);
      this.retainedBytes -= old.length;
    }
  }
}
