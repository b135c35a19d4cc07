/**
 * Image → Inventory: walks each layer once (or takes its analysis from the
 * layer cache), runs the scanners over the files they want, then assembles
 * the final inventory with whiteouts applied and layer provenance. An image
 * whose layers were all seen before takes its assembled inventory from the
 * cache. Nothing cached stands for a layer until its bytes are proven to be
 * the ones analysed (see `prove`).
 */
import { isStrataError, StrataError, toStrataError } from '../core/errors.js';
import type { LayerStats } from '../core/file.js';
import type { Image, Layer } from '../core/image.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { Inventory } from '../core/package.js';
import type { LayerRef, Scanner } from '../core/scanner.js';
import type { InventoryKey, LayerCache } from '../cache/layer-cache.js';
import { type LayerAnalysis, LayerAnalyzer } from '../inventory/analyze.js';
import { type AnalysedLayer, assembleInventory } from '../inventory/assemble.js';
import { SCANNERS, scannersFingerprint } from '../inventory/registry.js';
import { proveLayerBlob, walkDirectory, walkLayer } from '../layer/index.js';
import { Limiter } from '../util/limiter.js';

/** Receives per-layer progress for the TTY display. */
export interface ProgressSink {
  /** Before any layer of `image`: lets a display count all its layers from the start. */
  imageStart?(image: Image): void;
  layerStart(image: Image, layer: Layer): void;
  layerBytes(image: Image, layer: Layer, compressedBytesSoFar: number): void;
  /**
   * `cached`: the analysis was not read from this image's blob (the layer
   * cache had it, or another image of the same run read the same layer).
   */
  layerDone(image: Image, layer: Layer, outcome: 'cached' | 'read'): void;
}

export interface InventoryOptions {
  scanners?: readonly Scanner[];
  /** null disables caching (`--no-cache`). */
  cache?: LayerCache | null;
  /** Bounds concurrent layer reads; share one Limiter across images of one command. */
  limiter?: Limiter;
  keepOsOwned?: boolean;
  logger?: Logger;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface LayerOutcome {
  diffId: string;
  cached: boolean;
  stats?: LayerStats;
  ms: number;
}

export interface ImageInventory extends Inventory {
  layers: LayerOutcome[];
}

/** Caches a write already failed for: one warning per cache and process, not one per layer. */
const unwritableCaches = new WeakSet<LayerCache>();

/** Layers being analysed right now in this process, so concurrent images sharing one wait instead of reading it twice. */
const inFlight = new Map<string, Promise<{ analysis: LayerAnalysis; stats?: LayerStats }>>();

export async function inventoryOfImage(image: Image, options: InventoryOptions = {}): Promise<ImageInventory> {
  const scanners = options.scanners ?? SCANNERS;
  const logger = options.logger ?? silentLogger;

  if (image.rootDir !== undefined) {
    const t0 = Date.now();
    const analyzer = new LayerAnalyzer(scanners);
    let stats: LayerStats;
    try {
      stats = await walkDirectory(image.rootDir, analyzer, { signal: options.signal, logger });
    } catch (e) {
      throw toStrataError(e, { image: image.name }, 'io');
    }
    const ref: LayerRef = { index: 0, diffId: `dir:${image.rootDir}` };
    const inventory = assembleInventory([{ ref, analysis: analyzer.analysis }], scanners, { keepOsOwned: options.keepOsOwned });
    return { ...inventory, layers: [{ diffId: ref.diffId, cached: false, stats, ms: Date.now() - t0 }] };
  }

  const fingerprint = scannersFingerprint(scanners);
  const limiter = options.limiter ?? new Limiter(3);
  const cache = options.cache ?? undefined;
  // The first layer that fails fails the image: stop reading its other layers
  // instead of decompressing them for a result nobody will see.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const own: InventoryOptions = { ...options, signal };
  options.progress?.imageStart?.(image);

  /**
   * Before an analysis this process did not make from this image's bytes (a
   * cache entry, or another image's read) stands for `layer`: proof that this
   * image's copy is those bytes. A content-addressed blob is (a registry
   * serves it by digest, and any read of it is verified); local files are
   * hashed, since their digest is the image's claim, not the bytes' (a file
   * can be changed, or a fake image can name a real image's digests).
   * Remembering a file's verified hash by path, size and times would skip
   * that read but rest on metadata anyone with write access can keep, so a
   * warm scan of a local image hashes its layers: the cost of a sound hit.
   */
  const prove = async (layer: Layer): Promise<void> => {
    if (layer.contentAddressed) return;
    await limiter.run(() => proveLayerBlob(layer, { imageName: image.name, signal }));
  };
  const failing = (e: unknown): never => {
    failed.abort(e);
    throw e;
  };

  const inventoryKey: InventoryKey = {
    layers: image.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, ...(l.createdBy !== undefined ? { createdBy: l.createdBy } : {}) })),
    fingerprint,
    keepOsOwned: options.keepOsOwned ?? false,
  };
  const whole = cache ? await cache.getInventory(inventoryKey) : undefined;
  if (whole) {
    const t0 = Date.now();
    await Promise.all(image.layers.map((layer) => prove(layer).catch(failing)));
    logger.debug(`${image.name}: inventory from cache`);
    for (const layer of image.layers) {
      logger.debug(`layer ${layer.diffId}: in the cached inventory`);
      options.progress?.layerDone(image, layer, 'cached');
    }
    return { ...whole, layers: image.layers.map((l) => ({ diffId: l.diffId, cached: true, ms: Date.now() - t0 })) };
  }

  /**
   * Reads this image's copy of `layer` and caches the analysis once it
   * verified. Other images of this process wait for the read (see inFlight)
   * until the analysis is in the cache, where they would find it next.
   */
  const read = (layer: Layer, key: string) => {
    // Before the slot is handed on (failing aborts): a layer queued behind this one must not start.
    const job = limiter.run(() => analyseLayer(image, layer, scanners, own).catch(failing));
    const stored = job.then(({ analysis }) => cache?.put(layer, fingerprint, analysis).catch((e: unknown) => warnUnwritable(cache, e, logger))).catch(() => undefined);
    if (!inFlight.has(key)) {
      inFlight.set(key, job);
      void stored.finally(() => {
        if (inFlight.get(key) === job) inFlight.delete(key);
      });
    }
    return job;
  };

  const outcomes: LayerOutcome[] = [];
  const analysed: AnalysedLayer[] = await Promise.all(
    image.layers.map(async (layer): Promise<AnalysedLayer> => {
      const ref: LayerRef = { index: layer.index, diffId: layer.diffId, digest: layer.digest, createdBy: layer.createdBy };
      const t0 = Date.now();
      try {
        const cached = cache ? await cache.get(layer, fingerprint) : undefined;
        if (cached) {
          await prove(layer);
          logger.debug(`layer ${layer.diffId}: analysis from cache`);
          options.progress?.layerDone(image, layer, 'cached');
          outcomes[layer.index] = { diffId: layer.diffId, cached: true, ms: Date.now() - t0 };
          return { ref, analysis: cached };
        }
        const key = `${layer.digest}\n${layer.diffId}\n${fingerprint}`;
        const job = inFlight.get(key);
        let result: { analysis: LayerAnalysis; stats?: LayerStats } | undefined;
        if (job) {
          try {
            result = await job;
          } catch {
            // Another image's copy of this layer failed (its damaged blob, or
            // that image was given up): that is no verdict on this image's
            // copy, so read this one.
            logger.debug(`layer ${layer.diffId}: the other image reading it failed; reading this image's copy`);
          }
          if (result) {
            await prove(layer);
            options.progress?.layerDone(image, layer, 'cached');
          }
        }
        result ??= await read(layer, key);
        outcomes[layer.index] = { diffId: layer.diffId, cached: false, stats: result.stats, ms: Date.now() - t0 };
        return { ref, analysis: result.analysis };
      } catch (e) {
        return failing(e);
      }
    }),
  );
  let inventory: Inventory;
  try {
    inventory = assembleInventory(analysed, scanners, { keepOsOwned: options.keepOsOwned });
  } catch (e) {
    throw toStrataError(e, { image: image.name }, 'unsafe');
  }
  await cache?.putInventory(inventoryKey, inventory).catch((e: unknown) => warnUnwritable(cache, e, logger));
  return { ...inventory, layers: outcomes };
}

/** One warning per cache and process, not one per layer: the scan goes on without the cache. */
function warnUnwritable(cache: LayerCache, e: unknown, logger: Logger): void {
  if (unwritableCaches.has(cache)) return;
  unwritableCaches.add(cache);
  logger.warn(`could not write the layer cache (the scan goes on without it): ${e instanceof Error ? e.message : String(e)}`);
}

async function analyseLayer(
  image: Image,
  layer: Layer,
  scanners: readonly Scanner[],
  options: InventoryOptions,
): Promise<{ analysis: LayerAnalysis; stats: LayerStats }> {
  const logger = options.logger ?? silentLogger;
  const analyzer = new LayerAnalyzer(scanners);
  options.progress?.layerStart(image, layer);
  const t0 = Date.now();
  try {
    const stats = await walkLayer(layer, analyzer, {
      signal: options.signal,
      imageName: image.name,
      onProgress: options.progress ? (bytes: number) => options.progress?.layerBytes(image, layer, bytes) : undefined,
    });
    logger.debug(
      `layer ${layer.digest}: ${stats.compression}, ${stats.compressedBytes} → ${stats.uncompressedBytes} bytes, ${stats.entries} entries in ${Date.now() - t0} ms`,
    );
    options.progress?.layerDone(image, layer, 'read');
    return { analysis: analyzer.analysis, stats };
  } catch (e) {
    if (isStrataError(e)) throw e.at({ image: image.name, layer: layer.digest });
    throw new StrataError('corrupt', e instanceof Error ? e.message : String(e), { image: image.name, layer: layer.digest }, { cause: e });
  }
}
