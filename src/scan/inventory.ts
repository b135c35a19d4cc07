/**
 * Image → Inventory: walks each layer once (or takes its analysis from the
 * layer cache), runs the scanners over the files they want, then assembles
 * the final inventory with whiteouts applied and layer provenance.
 */
import { isStrataError, StrataError, toStrataError } from '../core/errors.js';
import type { LayerStats } from '../core/file.js';
import type { Image, Layer } from '../core/image.js';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import type { Inventory } from '../core/package.js';
import type { LayerRef, Scanner } from '../core/scanner.js';
import type { LayerCache } from '../cache/layer-cache.js';
import { type LayerAnalysis, LayerAnalyzer } from '../inventory/analyze.js';
import { type AnalysedLayer, assembleInventory } from '../inventory/assemble.js';
import { SCANNERS, scannersFingerprint } from '../inventory/registry.js';
import { walkDirectory, walkLayer } from '../layer/index.js';
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
  // The first layer that fails fails the image: stop reading its other layers
  // instead of decompressing them for a result nobody will see.
  const failed = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const own: InventoryOptions = { ...options, signal };
  options.progress?.imageStart?.(image);

  /**
   * Reads this image's copy of `layer` and caches the analysis once it
   * verified. Other images of this process wait for the read (see inFlight)
   * until the analysis is in the cache, where they would find it next.
   */
  const read = (layer: Layer, key: string) => {
    const job = limiter.run(async () => {
      try {
        return await analyseLayer(image, layer, scanners, own);
      } catch (e) {
        // Before the slot is handed on: a layer queued behind this one must not start.
        failed.abort(e);
        throw e;
      }
    });
    const cache = options.cache;
    const stored = job
      .then(({ analysis }) =>
        cache?.put(layer.diffId, fingerprint, analysis).catch((e: unknown) => {
          if (unwritableCaches.has(cache)) return;
          unwritableCaches.add(cache);
          logger.warn(`could not write the layer cache (the scan goes on without it): ${e instanceof Error ? e.message : String(e)}`);
        }),
      )
      .catch(() => undefined);
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
        const cached = options.cache ? await options.cache.get(layer.diffId, fingerprint) : undefined;
        if (cached) {
          logger.debug(`layer ${layer.diffId}: analysis from cache`);
          options.progress?.layerDone(image, layer, 'cached');
          outcomes[layer.index] = { diffId: layer.diffId, cached: true, ms: Date.now() - t0 };
          return { ref, analysis: cached };
        }
        const key = `${layer.diffId}\n${fingerprint}`;
        const job = inFlight.get(key);
        let result: { analysis: LayerAnalysis; stats?: LayerStats } | undefined;
        if (job) {
          try {
            result = await job;
            options.progress?.layerDone(image, layer, 'cached');
          } catch {
            // Another image's copy of this layer failed (its damaged blob, or
            // that image was given up): that is no verdict on this image's
            // copy, so read this one.
            logger.debug(`layer ${layer.diffId}: the other image reading it failed; reading this image's copy`);
          }
        }
        result ??= await read(layer, key);
        outcomes[layer.index] = { diffId: layer.diffId, cached: false, stats: result.stats, ms: Date.now() - t0 };
        return { ref, analysis: result.analysis };
      } catch (e) {
        failed.abort(e);
        throw e;
      }
    }),
  );
  let inventory: Inventory;
  try {
    inventory = assembleInventory(analysed, scanners, { keepOsOwned: options.keepOsOwned });
  } catch (e) {
    throw toStrataError(e, { image: image.name }, 'unsafe');
  }
  return { ...inventory, layers: outcomes };
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
