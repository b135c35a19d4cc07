/**
 * An overall deadline per image (`--timeout`, default 5 minutes as Trivy's):
 * whatever an image is doing when it passes — waiting for a registry that
 * never answers, a blob that trickles in, a retry's backoff — is aborted
 * through the signal, and the error names the image, the deadline and the
 * flag that sets it. Stalls are caught sooner by the registry client's stall
 * timeout (`--stall-timeout`, default 30 s without bytes).
 */
import { StrataError } from '../core/errors.js';

export const DEFAULT_IMAGE_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** "5 min", "30 s" for messages. */
export function formatDuration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/** Thrown (as the abort reason) when an image's deadline passes. */
export class DeadlineError extends StrataError {
  constructor(image: string, ms: number) {
    super('network', `did not finish within ${formatDuration(ms)} (--timeout); give slow registries or big images more time with --timeout, e.g. --timeout 15m`, { image });
  }
}

/**
 * Runs `work` with a signal that aborts after `ms`; if the deadline passes,
 * rejects with a DeadlineError at once, even if `work` is slow to notice.
 */
export async function withDeadline<T>(image: string, ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new DeadlineError(image, ms);
      controller.abort(e);
      reject(e);
    }, ms);
  });
  // Rejections of the losing promise are handled: neither becomes an unhandled rejection.
  expired.catch(() => undefined);
  const running = work(controller.signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, expired]);
  } catch (e) {
    throw controller.signal.aborted ? (controller.signal.reason as DeadlineError) : e;
  } finally {
    clearTimeout(timer);
  }
}
