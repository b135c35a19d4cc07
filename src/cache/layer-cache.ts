/**
 * The per-layer analysis cache: one JSON file per (diffID, scanner set),
 * written atomically (temp file + rename) so concurrent scans never read a
 * half-written entry. A layer shared by several images is read once.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LAYER_ANALYSIS_FORMAT, type LayerAnalysis } from '../inventory/analyze.js';

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

export class LayerCache {
  private readonly dir: string;

  /** `root` is the cache dir (`--cache-dir`); entries live in `root/layers`. */
  constructor(root: string) {
    this.dir = path.join(root, 'layers');
  }

  private file(diffId: string, fingerprint: string): string {
    const key = createHash('sha256').update(`${LAYER_ANALYSIS_FORMAT}\n${diffId}\n${fingerprint}`).digest('hex');
    return path.join(this.dir, `${key}.json`);
  }

  /** The cached analysis, or undefined when absent or unreadable (a bad entry is a miss, never an error). */
  async get(diffId: string, fingerprint: string): Promise<LayerAnalysis | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(diffId, fingerprint), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { diffId?: string; fingerprint?: string; analysis?: LayerAnalysis };
      if (entry.diffId !== diffId || entry.fingerprint !== fingerprint) return undefined;
      if (entry.analysis?.format !== LAYER_ANALYSIS_FORMAT) return undefined;
      return entry.analysis;
    } catch {
      return undefined;
    }
  }

  async put(diffId: string, fingerprint: string, analysis: LayerAnalysis): Promise<void> {
    const target = this.file(diffId, fingerprint);
    await mkdir(this.dir, { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify({ diffId, fingerprint, analysis }));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Removes every cached layer analysis. */
  async clean(): Promise<CacheCleanResult> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return { files: 0, bytes: 0 };
    }
    let files = 0;
    let bytes = 0;
    for (const name of names) {
      const p = path.join(this.dir, name);
      try {
        bytes += (await stat(p)).size;
        await rm(p, { force: true });
        files++;
      } catch {
        // Another process removed it first.
      }
    }
    return { files, bytes };
  }
}
