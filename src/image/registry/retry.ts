/**
 * When to try a registry request again, and how long to wait: exponential
 * backoff with full jitter, or the server's own `Retry-After` (seconds or an
 * HTTP date), both capped so a scan never sleeps for an hour.
 */

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** First backoff step; doubles each attempt. */
  baseDelayMs: number;
  /** Upper bound of one backoff wait, and of a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Statuses worth retrying: throttling and server-side failures (not 501 Not Implemented). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Parses a Retry-After header into milliseconds from `now`: delta-seconds or
 * an HTTP date. Returns undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP dates always name a weekday and GMT; Date.parse also accepts other forms, so require the shape.
  if (!/^[A-Za-z]{3},\s/.test(v) && !/GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Full-jitter backoff for attempt `n` (0-based): uniform in [0, min(max, base * 2^n)], at least a tenth of the step. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step * (0.1 + 0.9 * random()));
}

/** The wait before the next attempt: the server's Retry-After when given (capped), else backoff. */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  return backoffDelay(attempt, policy);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
