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
  layerStart(image: Image, layer: Layer): void;
  layerBytes(image: Image, layer: Layer, compressedBytesSoFar: number): void;
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
  const outcomes: LayerOutcome[] = [];
  const analysed: AnalysedLayer[] = await Promise.all(
    image.layers.map(async (layer): Promise<AnalysedLayer> => {
      const ref: LayerRef = { index: layer.index, diffId: layer.diffId, digest: layer.digest, createdBy: layer.createdBy };
      const t0 = Date.now();
      const cached = options.cache ? await options.cache.get(layer.diffId, fingerprint) : undefined;
      if (cached) {
        logger.debug(`layer ${layer.diffId}: analysis from cache`);
        options.progress?.layerDone(image, layer, 'cached');
        outcomes[layer.index] = { diffId: layer.diffId, cached: true, ms: Date.now() - t0 };
        return { ref, analysis: cached };
      }
      const key = `${layer.diffId}\n${fingerprint}`;
      let job = inFlight.get(key);
      if (!job) {
        job = limiter.run(() => analyseLayer(image, layer, scanners, options));
        inFlight.set(key, job);
        void job
          .then(async ({ analysis }) => {
            if (options.cache) {
              await options.cache.put(layer.diffId, fingerprint, analysis).catch((e: unknown) => {
                logger.warn(`could not write the layer cache: ${e instanceof Error ? e.message : String(e)}`);
              });
            }
          })
          .catch(() => undefined)
          .finally(() => inFlight.delete(key));
      }
      const { analysis, stats } = await job;
      outcomes[layer.index] = { diffId: layer.diffId, cached: false, stats, ms: Date.now() - t0 };
      return { ref, analysis };
    }),
  );
  const inventory = assembleInventory(analysed, scanners, { keepOsOwned: options.keepOsOwned });
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
