/**
 * Several scans at once, for the CLI (`strata image A B …`) and the server:
 * every target is opened and scanned concurrently with the same options
 * (one layer cache, one bound on concurrent layer reads, so a layer that
 * several images share is read once), then the finished scans are announced
 * by webhook. Nothing here knows about argv or terminals.
 */
import os from 'node:os';
import type { Image } from '../core/image.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { postWebhook, summarize } from '../notify/webhook.js';
import { Limiter } from '../util/limiter.js';
import { withDeadline } from './deadline.js';
import { scanImage, type ScanOptions } from './scan.js';

/** One thing to scan: how to open it, and its name for messages. */
export interface ScanTarget {
  name: string;
  /** `signal` aborts when the target's deadline passes. */
  open(signal?: AbortSignal): Promise<Image>;
}

export interface BatchOptions {
  /** An overall deadline per target (deadline.ts); none when absent. */
  timeoutMs?: number;
}

/** What a batch ended with: the finished scans, and what failed (a failed target does not stop the others). */
export interface BatchOutcome {
  results: ScanResult[];
  errors: unknown[];
}

/** Layers read at once when the caller does not say: the CPU count, at least 2. */
export function defaultParallel(): number {
  return Math.max(2, os.availableParallelism());
}

/** Opens and scans every target concurrently, closing each image after its scan; results keep the targets' order. */
export async function scanTargets(targets: readonly ScanTarget[], options: ScanOptions, batch: BatchOptions = {}): Promise<BatchOutcome> {
  const shared: ScanOptions = { ...options, limiter: options.limiter ?? new Limiter(defaultParallel()) };
  const logger = options.logger;
  const scanOne = async (t: ScanTarget, signal?: AbortSignal) => {
    const image = await t.open(signal);
    try {
      logger?.debug(`scanning ${image.name} (${image.source}, ${image.layers.length} layers)`);
      return await scanImage(image, signal ? { ...shared, signal } : shared);
    } finally {
      await image.close();
    }
  };
  const { timeoutMs } = batch;
  const outcomes = await Promise.allSettled(
    targets.map((t) => (timeoutMs !== undefined ? withDeadline(t.name, timeoutMs, (signal) => scanOne(t, signal)) : scanOne(t))),
  );
  const results: ScanResult[] = [];
  const errors: unknown[] = [];
  for (const o of outcomes) {
    if (o.status === 'fulfilled') results.push(o.value);
    else errors.push(o.reason);
  }
  return { results, errors };
}

export interface NotifyOptions {
  /** The receiver (http:// or https://). */
  url: string;
  /** Signs the body with HMAC-SHA256. */
  secret?: string;
}

/**
 * POSTs the summary of finished scans: one summary for one scan, an array
 * for several. A receiver that fails is a warning through `logger`: a lost
 * notification never loses the scan result.
 */
export async function notifyResults(results: readonly ScanResult[], options: NotifyOptions, logger: Logger): Promise<void> {
  const summaries = results.map((r) => summarize(r));
  const warning = await postWebhook(summaries.length === 1 ? (summaries[0] as ReturnType<typeof summarize>) : summaries, {
    url: options.url,
    ...(options.secret ? { secret: options.secret } : {}),
  });
  if (warning) logger.warn(warning);
}
