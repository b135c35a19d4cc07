/**
 * One HTTP exchange on Node's global fetch, with the timeouts a registry
 * client needs so nothing hangs: a deadline for the response headers, and a
 * stall timeout while waiting for each body chunk (not while the consumer is
 * busy). Network failures are turned into short, user-facing descriptions.
 *
 * Node's built-in fetch is used as is (it measured fastest here); an undici 7
 * dispatcher is only created for a proxy from the environment or for TLS
 * without certificate verification (`--insecure`, loopback), which the
 * built-in fetch cannot be told to do (util/http-proxy.ts).
 */
import { outboundFetch } from '../../util/http-proxy.js';

export { isLoopbackHost } from '../../util/http-proxy.js';

export interface ExchangeOptions {
  method: string;
  headers: Record<string, string>;
  body?: RequestInit['body'];
  signal?: AbortSignal;
  /** Time allowed until the response headers arrive. */
  headersTimeoutMs: number;
  /** Time allowed for each body chunk to arrive. */
  stallTimeoutMs: number;
  /** Skip TLS certificate verification. */
  insecureTls?: boolean;
}

/** Thrown when a deadline passes; `phase` says which. */
export class TimeoutError extends Error {
  constructor(
    readonly phase: 'headers' | 'body',
    readonly ms: number,
  ) {
    super(phase === 'headers' ? `no response within ${ms / 1000} s` : `no data for ${ms / 1000} s (stalled transfer)`);
    this.name = 'TimeoutError';
  }
}

/** A response whose body is read through the stall watchdog. */
export class Reply {
  private consumed = false;

  constructor(
    readonly res: Response,
    readonly url: URL,
    private readonly controller: AbortController,
    private readonly stallTimeoutMs: number,
  ) {}

  get status(): number {
    return this.res.status;
  }

  header(name: string): string | null {
    return this.res.headers.get(name);
  }

  /** The body's chunks; each wait for data is bounded by the stall timeout. Stopping early cancels the body. */
  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.consumed) throw new Error('response body already read');
    this.consumed = true;
    const body = this.res.body;
    if (!body) return;
    const reader = body.getReader();
    let done = false;
    let stalled = false;
    try {
      for (;;) {
        const timer = setTimeout(() => {
          stalled = true;
          this.controller.abort(new TimeoutError('body', this.stallTimeoutMs));
        }, this.stallTimeoutMs);
        let result: { done: true; value?: undefined } | { done: false; value: Uint8Array };
        try {
          result = await reader.read();
        } catch (e) {
          throw stalled ? new TimeoutError('body', this.stallTimeoutMs) : e;
        } finally {
          clearTimeout(timer);
        }
        if (result.done) {
          done = true;
          return;
        }
        yield result.value;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }

  /** The whole body, refusing more than `limit` bytes (`onLimit` builds the error). */
  async bytes(limit: number, onLimit: (size: number) => Error): Promise<Buffer> {
    const declared = Number(this.res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      await this.cancel();
      throw onLimit(declared);
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this.chunks()) {
      total += chunk.length;
      if (total > limit) throw onLimit(total);
      parts.push(chunk);
    }
    return Buffer.concat(parts, total);
  }

  /** Abandons the exchange: a body still arriving fails and its connection is dropped. */
  abort(): void {
    this.controller.abort(new Error('request abandoned'));
  }

  /** Discards the body so the connection can be reused. */
  async cancel(): Promise<void> {
    if (this.consumed) return;
    this.consumed = true;
    await this.res.body?.cancel().catch(() => undefined);
  }
}

/** Sends one request (no redirects followed, no retries). */
export async function exchange(url: URL, options: ExchangeOptions): Promise<Reply> {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new TimeoutError('headers', options.headersTimeoutMs));
  }, options.headersTimeoutMs);
  const init: RequestInit & { duplex?: 'half' } = {
    method: options.method,
    headers: options.headers,
    redirect: 'manual',
    signal,
  };
  if (options.body !== undefined) {
    init.body = options.body;
    // Node's fetch insists on half duplex for streamed request bodies.
    init.duplex = 'half';
  }
  try {
    const res = await outboundFetch(url, init, { insecureTls: options.insecureTls ?? false });
    return new Reply(res, url, controller, options.stallTimeoutMs);
  } catch (e) {
    if (timedOut) throw new TimeoutError('headers', options.headersTimeoutMs);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The error codes along an error's `cause` chain (fetch wraps socket errors in `TypeError: fetch failed`). */
function errorCodes(e: unknown): { codes: string[]; messages: string[] } {
  const codes: string[] = [];
  const messages: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 6; depth++) {
    const err = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === 'string') codes.push(err.code);
    if (typeof err.message === 'string') messages.push(err.message);
    cur = err.cause;
  }
  return { codes, messages };
}

export interface NetworkFailure {
  /** Short description: `connection refused`, `TLS certificate not trusted (…)`. */
  message: string;
  /** Whether trying again could help. */
  retryable: boolean;
  /** The failure happened in the TLS handshake (plain HTTP on the port, or a certificate problem). */
  tls: boolean;
}

const TLS_CERT_CODES = /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|ERR_TLS_CERT_ALTNAME_INVALID)/;

/** Classifies what fetch threw. Returns undefined for errors that are not network failures (aborts, bugs). */
export function describeNetworkError(e: unknown): NetworkFailure | undefined {
  if (e instanceof TimeoutError) return { message: e.message, retryable: true, tls: false };
  const { codes, messages } = errorCodes(e);
  const code = codes.find((c) => c !== 'ABORT_ERR') ?? '';
  const text = messages.join(': ');
  if (/\bbad port\b/i.test(text)) {
    // fetch refuses the WHATWG "bad ports" (e.g. 1, 22, 6000, 10080) before connecting.
    return { message: 'fetch refuses connections to this port (it is on the WHATWG "bad ports" list); serve the registry on another port', retryable: false, tls: false };
  }
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(text)?.[1];
  if (proxyStatus) {
    const why = proxyStatus === '407' ? 'proxy authentication required: put the credentials in the proxy URL (http://user:password@host:port)' : `the proxy answered HTTP ${proxyStatus}`;
    return { message: `the proxy refused to connect (${why})`, retryable: proxyStatus === '502' || proxyStatus === '503' || proxyStatus === '504', tls: false };
  }
  if (TLS_CERT_CODES.test(code)) {
    return { message: `TLS certificate not trusted (${code}); use --insecure to skip verification`, retryable: false, tls: true };
  }
  if (/^ERR_SSL_|^EPROTO$/.test(code) || /wrong version number|packet length too long|ssl3_get_record|handshake/i.test(text)) {
    return { message: `TLS handshake failed (${code || 'protocol error'})`, retryable: false, tls: true };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { message: 'connection refused', retryable: true, tls: false };
    case 'ENOTFOUND':
      return { message: 'host name not found', retryable: false, tls: false };
    case 'EAI_AGAIN':
      return { message: 'host name lookup failed temporarily', retryable: true, tls: false };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return { message: 'connection closed by the server', retryable: true, tls: false };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { message: 'connection timed out', retryable: true, tls: false };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { message: 'server stopped responding', retryable: true, tls: false };
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return { message: 'network unreachable', retryable: true, tls: false };
  }
  if (e instanceof TypeError && /fetch failed|terminated|other side closed/i.test(text) && !code.startsWith('UND_ERR_INVALID')) {
    return { message: `connection failed${code ? ` (${code})` : ''}: ${messages[messages.length - 1] ?? 'unknown'}`, retryable: true, tls: false };
  }
  // Other socket-level errors (EHOSTDOWN, ENETDOWN, …); undici's argument errors are bugs, not network trouble.
  if (/^E[A-Z]+$/.test(code)) return { message: `${code}: ${messages[messages.length - 1] ?? ''}`, retryable: true, tls: false };
  return undefined;
}
