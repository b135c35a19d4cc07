/**
 * The final file set of an image: every layer walked (digests verified), then
 * stacked in order with whiteouts, opaque directories, symlinked parents and
 * hard links applied (whiteout.ts). What `umoci unpack` would leave on disk,
 * without writing anything.
 */
import { isStrataError, type ErrorWhere } from '../core/errors.js';
import type { FileEntry, LayerVisitor } from '../core/file.js';
import type { Image } from '../core/image.js';
import { silentLogger } from '../core/log.js';
import { walkDirectory } from './walk-directory.js';
import { walkLayer, type WalkLayerOptions } from './walk-layer.js';
import { type LayerChange, LayerStack } from './whiteout.js';

export interface ListImageFilesOptions extends Omit<WalkLayerOptions, 'onProgress' | 'imageName'> {
  /** Layers walked at once (default 2: decompression of one overlaps parsing of another). */
  parallel?: number;
}

/** Mode of directories no layer lists but an entry implies (what extractors create: 0777 & ~022). */
export const IMPLIED_DIR_MODE = 0o755;

/**
 * Path → entry for everything in the image, parents before children. Hard
 * links carry the type `hardlink`, their target's mode and size; symlinks
 * their target as written. For a rootfs image (`rootDir`), the directory walk.
 */
export async function listImageFiles(image: Image, options: ListImageFilesOptions = {}): Promise<Map<string, FileEntry>> {
  const logger = options.logger ?? silentLogger;
  if (image.rootDir !== undefined) {
    const recorder = new ChangeRecorder();
    await walkDirectory(image.rootDir, recorder, { ...(options.signal ? { signal: options.signal } : {}), logger });
    return new Map(recorder.changes.flatMap((c) => (c.kind === 'entry' ? [[c.path, c.value] as const] : [])));
  }

  const stack = new LayerStack<FileEntry>({ where: { image: image.name }, onWarning: (m) => logger.warn(m) });
  const parallel = Math.max(1, options.parallel ?? 2);
  // When one layer fails, the walks still running are stopped too.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const walks: Array<Promise<LayerChange<FileEntry>[]> | undefined> = [];
  let started = 0;
  const startNext = (): void => {
    const layer = image.layers[started++];
    if (!layer) return;
    const recorder = new ChangeRecorder();
    const walk = walkLayer(layer, recorder, { ...options, signal, imageName: image.name }).then(() => recorder.changes);
    // Rejections are observed when this layer's turn comes; until then, keep them from being "unhandled".
    walk.catch(() => undefined);
    walks[layer.index] = walk;
  };
  for (let i = 0; i < parallel; i++) startNext();

  try {
    for (const layer of image.layers) {
      const changes = await (walks[layer.index] as Promise<LayerChange<FileEntry>[]>);
      walks[layer.index] = undefined;
      startNext();
      const where: ErrorWhere = { image: image.name, layer: layer.digest };
      try {
        stack.applyLayer(layer.index, changes, where);
      } catch (e) {
        throw isStrataError(e) ? e.at(where) : e;
      }
    }
  } catch (e) {
    stop.abort(new Error('another layer of the image failed'));
    throw e;
  }

  const files = new Map<string, FileEntry>();
  for (const e of stack.entries()) {
    if (e.value === undefined) {
      files.set(e.path, { path: e.path, type: 'dir', mode: IMPLIED_DIR_MODE, size: 0 });
    } else if (e.type === 'hardlink') {
      const target = e.linkedValue ?? e.value;
      files.set(e.path, { ...target, path: e.path, type: 'hardlink', ...(e.linkTarget ? { linkTarget: e.linkTarget } : {}) });
    } else {
      files.set(e.path, e.path === e.value.path ? e.value : { ...e.value, path: e.path });
    }
  }
  return files;
}

/** A LayerVisitor that keeps every change in archive order and reads no content. */
export class ChangeRecorder implements LayerVisitor {
  readonly changes: LayerChange<FileEntry>[] = [];

  entry(entry: FileEntry): void {
    this.changes.push({
      kind: 'entry',
      path: entry.path,
      type: entry.type,
      ...(entry.linkTarget !== undefined ? { linkTarget: entry.linkTarget } : {}),
      value: entry,
    });
  }

  wants(): number {
    return 0;
  }

  content(): void {}

  whiteout(path: string): void {
    this.changes.push({ kind: 'whiteout', path });
  }

  opaque(dir: string): void {
    this.changes.push({ kind: 'opaque', dir });
  }
}
