/**
 * Downloads a feed URL to a local file with a conditional GET (If-None-Match /
 * If-Modified-Since from the previous build), hashing while writing. 304 means
 * "unchanged": the builder copies that feed's rows from the previous database.
 * Retries network errors, 429 and 5xx with backoff (honouring Retry-After).
 * Compressed feeds (`.gz`, `.bz2`) are stored as sent and decompressed when read.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StrataError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { outboundFetch } from '../../util/http-proxy.js';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type DownloadResult =
  | { status: 'not-modified' }
  | { status: 'ok'; path: string; sha256: string; etag?: string; lastModified?: string; size: number }
  | { status: 'not-found' };

export interface DownloadOptions {
  previous?: Validators;
  signal?: AbortSignal;
  logger?: Logger;
  /** Attempts for transient failures (default 4). */
  attempts?: number;
  /** Per-attempt time limit in ms for the response headers and body (default 10 min). */
  timeoutMs?: number;
  /** 404 is a normal answer for optional feeds (e.g. a branch without a community repo). */
  allowNotFound?: boolean;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

export async function download(url: string, file: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const attempts = opts.attempts ?? 4;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    opts.signal?.throwIfAborted();
    const headers: Record<string, string> = { 'user-agent': 'strata-vulndb (+https://github.com/)', accept: '*/*' };
    if (opts.previous?.etag) headers['if-none-match'] = opts.previous.etag;
    if (opts.previous?.lastModified) headers['if-modified-since'] = opts.previous.lastModified;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 600_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let retryAfterMs: number | undefined;
    try {
      const res = await outboundFetch(url, { headers, signal, redirect: 'follow' });
      if (res.status === 304) {
        await res.body?.cancel();
        return { status: 'not-modified' };
      }
      if (res.status === 404 && opts.allowNotFound) {
        await res.body?.cancel();
        return { status: 'not-found' };
      }
      if (res.status === 429 || res.status >= 500) {
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.min(ra * 1000, 60_000);
        await res.body?.cancel();
        throw new StrataError('network', `${url}: HTTP ${res.status}`);
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new StrataError(res.status === 404 ? 'not-found' : 'network', `${url}: HTTP ${res.status} ${res.statusText}`);
      }
      const hash = createHash('sha256');
      let size = 0;
      const body = Readable.fromWeb(res.body);
      body.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
      });
      await pipeline(body, createWriteStream(file));
      const expected = Number(res.headers.get('content-length'));
      // fetch decodes Content-Encoding itself, so a length check only holds for identity bodies.
      if (!res.headers.get('content-encoding') && Number.isFinite(expected) && expected > 0 && expected !== size) {
        throw new StrataError('network', `${url}: body truncated (${size} of ${expected} bytes)`);
      }
      const etag = res.headers.get('etag') ?? undefined;
      const lastModified = res.headers.get('last-modified') ?? undefined;
      return { status: 'ok', path: file, sha256: `sha256:${hash.digest('hex')}`, size, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
    } catch (e) {
      lastError = e;
      await rm(file, { force: true });
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (e instanceof StrataError && e.code !== 'network') throw e;
      if (attempt < attempts) {
        const wait = retryAfterMs ?? 500 * 2 ** (attempt - 1);
        opts.logger?.debug(`download ${url} failed (${(e as Error).message}); retry ${attempt}/${attempts - 1} in ${wait} ms`);
        await sleep(wait, opts.signal);
      }
    }
  }
  const message = lastError instanceof Error ? lastError.message : String(lastError);
  throw new StrataError('network', `cannot download ${url}: ${message}`, {}, { cause: lastError });
}
