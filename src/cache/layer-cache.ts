/**
 * The analysis cache, two kinds of entry under one directory:
 * - `layers/`: one layer's analysis per (blob digest, diffID, scanner set);
 * - `inventories/`: one image's assembled inventory per (its layers' blob
 *   digests, diffIDs and history lines, scanner set, options): a warm scan
 *   skips re-assembling (whiteouts, provenance) too.
 * Entries are JSON files written atomically (temp file + rename), so
 * concurrent scans never read a half-written entry; a damaged or foreign
 * entry is a miss, never an error.
 *
 * The keys are claims until proven: an entry is only ever written for bytes
 * that were hashed to the key's blob digest and diffID (walkLayer verifies
 * both), and scan/inventory.ts only uses an entry for a layer whose bytes are
 * known to be those: a registry serves blobs by digest, local files are
 * hashed again first (see `Layer.contentAddressed`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Inventory } from '../core/package.js';
import { LAYER_ANALYSIS_FORMAT, type LayerAnalysis } from '../inventory/analyze.js';
import { INVENTORY_FORMAT } from '../inventory/assemble.js';

/** `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'strata');
}

export interface CacheCleanResult {
  files: number;
  bytes: number;
}

/** What a layer is: its blob digest and diffID (both verified whenever its bytes are read). */
export interface LayerKey {
  digest: string;
  diffId: string;
}

/** What an image's assembled inventory depends on, bottom layer first. */
export interface InventoryKey {
  layers: ReadonlyArray<LayerKey & { createdBy?: string }>;
  /** `scannersFingerprint` of the scanners that ran. */
  fingerprint: string;
  keepOsOwned: boolean;
}

const KINDS = ['layers', 'inventories'] as const;
type Kind = (typeof KINDS)[number];

export class LayerCache {
  /** `root` is the cache dir (`--cache-dir`); entries live in `root/layers` and `root/inventories`. */
  constructor(private readonly root: string) {}

  /** The cached analysis, or undefined when absent or unreadable. */
  async get(layer: LayerKey, fingerprint: string): Promise<LayerAnalysis | undefined> {
    const analysis = await this.read<LayerAnalysis>('layers', layerId(layer, fingerprint));
    return analysis?.format === LAYER_ANALYSIS_FORMAT ? analysis : undefined;
  }

  /** Only for an analysis of bytes whose blob digest and diffID were verified to be `layer`'s. */
  put(layer: LayerKey, fingerprint: string, analysis: LayerAnalysis): Promise<void> {
    return this.write('layers', layerId(layer, fingerprint), analysis, { diffId: layer.diffId, digest: layer.digest });
  }

  async getInventory(key: InventoryKey): Promise<Inventory | undefined> {
    const inventory = await this.read<Inventory>('inventories', inventoryId(key));
    return inventory && Array.isArray(inventory.packages) && Array.isArray(inventory.skipped) ? inventory : undefined;
  }

  /** Only for an inventory assembled from analyses of verified layers. */
  putInventory(key: InventoryKey, inventory: Inventory): Promise<void> {
    return this.write('inventories', inventoryId(key), inventory);
  }

  /** Removes every cached layer analysis and inventory. */
  async clean(): Promise<CacheCleanResult> {
    let files = 0;
    let bytes = 0;
    for (const kind of KINDS) {
      const dir = path.join(this.root, kind);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const p = path.join(dir, name);
        try {
          bytes += (await stat(p)).size;
          await rm(p, { force: true });
          if (kind === 'layers') files++;
        } catch {
          // Another process removed it first.
        }
      }
    }
    return { files, bytes };
  }

  private file(kind: Kind, id: string): string {
    return path.join(this.root, kind, `${createHash('sha256').update(id).digest('hex')}.json`);
  }

  /** The entry's value when the file holds a whole entry written for exactly `id`. */
  private async read<T>(kind: Kind, id: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(kind, id), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { id?: unknown; value?: T } | null;
      return entry?.id === id ? entry.value : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(kind: Kind, id: string, value: unknown, extra: Record<string, string> = {}): Promise<void> {
    const target = this.file(kind, id);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ id, ...extra, value }));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

function layerId(layer: LayerKey, fingerprint: string): string {
  return `layer ${LAYER_ANALYSIS_FORMAT}\n${layer.digest}\n${layer.diffId}\n${fingerprint}`;
}

function inventoryId(key: InventoryKey): string {
  const layers = key.layers.map((l) => JSON.stringify([l.digest, l.diffId, l.createdBy ?? null]));
  return `inventory ${INVENTORY_FORMAT} ${LAYER_ANALYSIS_FORMAT}\n${key.fingerprint}\nkeepOsOwned=${key.keepOsOwned}\n${layers.join('\n')}`;
}
