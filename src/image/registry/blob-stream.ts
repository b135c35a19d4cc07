/**
 * A registry blob as a Node Readable that survives a broken connection: when
 * the body ends early or the socket fails, the download continues with a
 * `Range: bytes=N-` request from the byte it stopped at. A registry that
 * ignores Range (answers 200 instead of 206) cannot be resumed without
 * handing the consumer bytes twice, so that fails with a clear error.
 * Bytes are never buffered beyond the stream's high-water mark.
 */
import { Readable } from 'node:stream';
import { StrataError, type ErrorWhere } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { backoffDelay, sleep, type RetryPolicy } from './retry.js';
import { describeNetworkError, type Reply } from './transport.js';

export interface BlobStreamOptions {
  /** Blob size from the descriptor, or undefined when unknown (then Content-Length decides). */
  size: number | undefined;
  /** Re-requests the blob from `offset` (with a Range header when offset > 0). */
  resume: (offset: number, signal: AbortSignal) => Promise<Reply>;
  policy: RetryPolicy;
  /** `blob sha256:… of test/debian at 127.0.0.1:5000`, for messages. */
  what: string;
  registry: string;
  where: ErrorWhere;
  logger: Logger;
}

/** The body ended cleanly but short of the expected size. */
class ShortBody extends Error {}

function contentLength(reply: Reply): number | undefined {
  const v = reply.header('content-length');
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}

function rangeStart(reply: Reply): number | undefined {
  const m = /^bytes (\d+)-/.exec(reply.header('content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}

export class BlobStream extends Readable {
  private readonly controller = new AbortController();
  private readonly chunks: AsyncGenerator<Uint8Array, void, undefined>;
  private pumping = false;
  /** Bytes handed to the consumer so far. */
  private offset = 0;
  /** The response being read, aborted when the consumer destroys the stream. */
  private current: Reply;

  constructor(
    first: Reply,
    private readonly options: BlobStreamOptions,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.current = first;
    this.chunks = this.generate(first);
  }

  /** Aborts requests this stream makes; the caller's own signal is combined in by `resume`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  override _read(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.chunks.next();
        if (done) {
          this.push(null);
          return;
        }
        if (!this.push(value)) return;
      }
    } catch (e) {
      this.destroy(e as Error);
    } finally {
      this.pumping = false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.controller.abort();
    this.current.abort();
    this.chunks.return(undefined).catch(() => undefined);
    callback(error);
  }

  private async *generate(first: Reply): AsyncGenerator<Uint8Array, void, undefined> {
    const { what, where, policy } = this.options;
    let reply = first;
    const declared = contentLength(first);
    const total = this.options.size !== undefined && this.options.size >= 0 ? this.options.size : declared;
    if (total !== undefined && declared !== undefined && declared !== total) {
      await first.cancel();
      throw new StrataError('digest-mismatch', `${what}: the registry sends ${declared} bytes but the manifest says the blob has ${total}`, where);
    }
    let resumes = 0;
    for (;;) {
      try {
        for await (const chunk of reply.chunks()) {
          this.offset += chunk.length;
          if (total !== undefined && this.offset > total) {
            throw new StrataError('digest-mismatch', `${what}: the registry sent more than the ${total} bytes the manifest declares`, where);
          }
          yield chunk;
        }
        if (total === undefined || this.offset === total) return;
        throw new ShortBody(`connection closed after ${this.offset} of ${total} bytes`);
      } catch (e) {
        if (e instanceof StrataError || this.controller.signal.aborted) throw e;
        const failure = e instanceof ShortBody ? { message: e.message, retryable: true } : describeNetworkError(e);
        if (!failure) throw e;
        const at = `at byte ${this.offset} of ${total ?? 'unknown'}`;
        if (!failure.retryable || resumes >= policy.retries) {
          throw new StrataError('network', `${what}: transfer broke ${at} (${failure.message})${resumes ? `; gave up after ${resumes} resumed attempts` : ''}`, where, {
            cause: e,
          });
        }
        resumes++;
        const delay = backoffDelay(resumes - 1, policy);
        this.options.logger.warn(`${what}: transfer broke ${at} (${failure.message}); resuming in ${delay} ms`);
        await sleep(delay, this.controller.signal);
        const next = await this.options.resume(this.offset, this.controller.signal);
        if (this.offset > 0) {
          if (next.status !== 206) {
            await next.cancel();
            throw new StrataError(
              'network',
              `${what}: transfer broke ${at} (${failure.message}) and registry ${this.options.registry} does not support Range requests, so the download cannot be resumed`,
              where,
            );
          }
          const start = rangeStart(next);
          if (start !== this.offset) {
            await next.cancel();
            throw new StrataError('network', `${what}: asked to resume at byte ${this.offset}, the registry answered from byte ${start ?? 'unknown'}`, where);
          }
        }
        reply = next;
        this.current = next;
      }
    }
  }
}
