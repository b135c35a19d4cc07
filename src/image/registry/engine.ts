/**
 * `RegistryEngine`: how requests reach one registry host, on Node's global
 * fetch. The reads (reads.ts) and the pushes (push.ts) describe requests;
 * this sends them.
 *
 * - HTTPS, except plain HTTP for loopback hosts and with `insecure` (HTTPS is
 *   tried first, as Docker does). Bearer-token and Basic auth (auth.ts),
 *   credentials from options, environment and Docker/podman config (credentials.ts).
 * - Retries with backoff and jitter on connection errors, 408/429/5xx,
 *   honouring Retry-After; redirects followed by hand so Authorization is
 *   never sent to another origin (blob storage gets its signed URL only).
 * - Every failure is a StrataError naming the registry, the repository and
 *   the tag/digest; auth failures name the credential source, never a secret.
 */
import { StrataError, type ErrorCode, type ErrorWhere } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { viaProxy } from '../../util/http-proxy.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../reference.js';
import { MAX_TOKEN_RESPONSE_BYTES, RegistryAuth, repositoryScope } from './auth.js';
import { parseChallenges } from './challenge.js';
import type { CredentialOptions } from './credentials.js';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './retry.js';
import { describeNetworkError, exchange, isLoopbackHost, type Reply } from './transport.js';

export interface RegistryClientOptions {
  /** The registry as references name it: `docker.io`, `127.0.0.1:5000`, `registry.example.com`. */
  registry: string;
  /** Explicit credentials (`--username/--password`); `source` names them in messages (default `--username`). */
  credentials?: { username: string; password: string; source?: string };
  /** Allow plain HTTP and TLS without certificate verification for this registry. */
  insecure?: boolean;
  logger?: Logger;
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff step in ms (default 500); doubles per attempt. */
  retryBaseDelayMs?: number;
  /** Cap of one wait, including a server's Retry-After (default 30 s). */
  retryMaxDelayMs?: number;
  /** Time allowed until response headers arrive (default 30 s). */
  requestTimeoutMs?: number;
  /** A body that delivers nothing for this long fails (default 30 s). */
  stallTimeoutMs?: number;
  /** Environment and home directory for credential lookup (default: the process's). */
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Repository used to match namespaced credentials (`quay.io/org` keys in auth.json). */
  repository?: string;
  userAgent?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Extra location details for errors (the image name). */
  where?: ErrorWhere;
}

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestSpec {
  method: Method;
  /** `/v2/…` under the registry, or an absolute URL (upload locations). */
  path: string | URL;
  repository?: string;
  push?: boolean;
  headers?: Record<string, string>;
  /** Makes the body afresh for each attempt; absent for bodiless requests. */
  body?: () => RequestInit['body'];
  /** False when the body is a one-shot stream: no retries then. */
  replayable?: boolean;
  /** Statuses returned to the caller; anything else becomes an error. */
  expect: readonly number[];
  what: string;
  where: ErrorWhere;
  signal?: AbortSignal | undefined;
}

const MAX_REDIRECTS = 10;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'strata (+https://github.com/strata-scanner/strata)';

export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

export class RegistryEngine {
  /** The registry as references name it (`docker.io`). */
  readonly registry: string;
  /** Where its API is served (`registry-1.docker.io`). */
  readonly apiHost: string;
  private readonly insecure: boolean;
  /** What reads.ts and push.ts use besides request() and fetchWhole(): the logger, and the retry policy (resumed blob streams). */
  readonly logger: Logger;
  readonly policy: RetryPolicy;
  private readonly headersTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly userAgent: string;
  private readonly auth: RegistryAuth;
  private base: Promise<URL> | undefined;

  constructor(options: RegistryClientOptions) {
    this.registry = options.registry;
    this.apiHost = options.registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : options.registry;
    this.insecure = options.insecure ?? false;
    this.logger = options.logger ?? silentLogger;
    this.policy = {
      retries: options.retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    };
    this.headersTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? USER_AGENT;
    const credentialOptions: CredentialOptions = { logger: this.logger };
    if (options.credentials) credentialOptions.explicit = options.credentials;
    if (options.env) credentialOptions.env = options.env;
    if (options.homeDir) credentialOptions.homeDir = options.homeDir;
    this.auth = new RegistryAuth(
      this.registry,
      options.repository,
      credentialOptions,
      (url, init, signal) => this.tokenRequest(url, init, signal),
      this.logger,
      this.insecure,
    );
  }

  /** Where the credentials in use came from (`anonymous` if none were needed or found). */
  get credentialSource(): string {
    return this.auth.source;
  }

  /** Checks that the registry speaks the v2 API; learns its scheme and auth challenge. */
  async ping(options: RequestOptions = {}): Promise<void> {
    await this.baseUrl(options.signal, options.where ?? {});
  }

  private baseUrl(signal: AbortSignal | undefined, where: ErrorWhere): Promise<URL> {
    this.base ??= this.resolveBase(signal, where).catch((e: unknown) => {
      this.base = undefined;
      throw e;
    });
    return this.base;
  }

  /** HTTPS, or (loopback / insecure only) plain HTTP when the HTTPS handshake fails. */
  private async resolveBase(signal: AbortSignal | undefined, where: ErrorWhere): Promise<URL> {
    const https = new URL(`https://${this.apiHost}/`);
    if (!this.plainHttpAllowed(this.apiHost)) {
      await this.pingAt(https, signal, where, true);
      return https;
    }
    try {
      await this.pingAt(https, signal, where, false);
      return https;
    } catch (e) {
      if (!(e instanceof StrataError) || e.code !== 'network') throw e;
      this.logger.debug(`registry ${this.registry}: HTTPS failed (${e.detail}); trying plain HTTP`);
    }
    const http = new URL(`http://${this.apiHost}/`);
    await this.pingAt(http, signal, where, true);
    return http;
  }

  private plainHttpAllowed(host: string): boolean {
    return this.insecure || isLoopbackHost(host);
  }

  private async pingAt(base: URL, signal: AbortSignal | undefined, where: ErrorWhere, retry: boolean): Promise<void> {
    const url = new URL('/v2/', base);
    const reply = await this.attempts(
      { method: 'GET', path: url, expect: [200, 401], what: `registry API at ${base.origin}`, where, signal, replayable: retry },
      url,
      false,
    );
    await reply.cancel();
    if (reply.status === 401) {
      const challenges = parseChallenges(reply.header('www-authenticate'));
      this.auth.learn(challenges);
      this.logger.debug(`registry ${this.registry} at ${base.origin} wants ${this.auth.scheme ?? 'unknown'} auth`);
    } else {
      this.logger.debug(`registry ${this.registry} at ${base.origin} answers without auth`);
    }
  }

  /** One request to the registry with auth, retries and redirects. */
  async request(spec: RequestSpec): Promise<Reply> {
    const base = await this.baseUrl(spec.signal, spec.where);
    const url = spec.path instanceof URL ? spec.path : new URL(spec.path, base);
    return this.attempts(spec, url, true, base);
  }

  private async attempts(spec: RequestSpec, url: URL, withAuth: boolean, base?: URL): Promise<Reply> {
    const replayable = spec.replayable ?? true;
    const scope = spec.repository ? repositoryScope(spec.repository, spec.push ?? false) : undefined;
    let attempt = 0;
    let reauthenticated = false;
    for (;;) {
      const authorization = withAuth ? await this.auth.authorization(scope, spec.signal, spec.where) : undefined;
      let reply: Reply;
      let sameOrigin: boolean;
      try {
        ({ reply, sameOrigin } = await this.follow(spec, url, authorization, base ?? url));
      } catch (e) {
        if (spec.signal?.aborted) throw spec.signal.reason as Error;
        if (e instanceof StrataError) throw e;
        const failure = describeNetworkError(e);
        if (!failure) throw e;
        if (failure.retryable && replayable && attempt < this.policy.retries) {
          const delay = retryDelay(attempt, this.policy, undefined);
          this.logger.warn(`${spec.what}: ${failure.message}; retrying in ${delay} ms`);
          attempt++;
          await sleep(delay, spec.signal);
          continue;
        }
        const tries = attempt + 1;
        throw new StrataError(
          'network',
          `${spec.what}: ${failure.message} (${url.host}${viaProxy(url)})${tries > 1 ? ` after ${tries} attempts` : ''}`,
          spec.where,
          { cause: e },
        );
      }
      const status = reply.status;
      if (status === 401 && withAuth && sameOrigin && !reauthenticated && replayable) {
        // First 401: learn the challenge (or refresh an expired token) and try once more.
        reauthenticated = true;
        const challenges = parseChallenges(reply.header('www-authenticate'));
        if (challenges.length || authorization) {
          await reply.cancel();
          if (challenges.length) this.auth.learn(challenges);
          this.auth.invalidate();
          continue;
        }
      }
      if (isRetryableStatus(status) && !spec.expect.includes(status) && replayable && attempt < this.policy.retries) {
        const retryAfter = parseRetryAfter(reply.header('retry-after'));
        const delay = retryDelay(attempt, this.policy, retryAfter);
        this.logger.warn(`${spec.what}: ${status} from ${reply.url.host}; retrying in ${delay} ms${retryAfter !== undefined ? ' (Retry-After)' : ''}`);
        await reply.cancel();
        attempt++;
        await sleep(delay, spec.signal);
        continue;
      }
      if (spec.expect.includes(status)) return reply;
      throw await this.statusError(reply, spec, sameOrigin, attempt + 1);
    }
  }

  /** Sends the request and follows redirects; Authorization only goes to the registry's own origin. */
  private async follow(spec: RequestSpec, start: URL, authorization: string | undefined, base: URL): Promise<{ reply: Reply; sameOrigin: boolean }> {
    let url = start;
    let method: Method = spec.method;
    let body = spec.body;
    for (let hops = 0; ; hops++) {
      const sameOrigin = url.origin === base.origin;
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...spec.headers };
      // Credentials (the registry's, or Basic ones for a token service) never leave their origin.
      if (!sameOrigin) delete headers.authorization;
      if (authorization && sameOrigin) headers.authorization = authorization;
      const reply = await exchange(url, {
        method,
        headers,
        ...(body ? { body: body() } : {}),
        ...(spec.signal ? { signal: spec.signal } : {}),
        headersTimeoutMs: this.headersTimeoutMs,
        stallTimeoutMs: this.stallTimeoutMs,
        // --insecure covers the registry itself, not blob storage it redirects to.
        insecureTls: isLoopbackHost(url.host) || (this.insecure && url.host === this.apiHost),
      });
      const location = reply.header('location');
      if (![301, 302, 303, 307, 308].includes(reply.status) || !location || spec.expect.includes(reply.status)) {
        return { reply, sameOrigin };
      }
      await reply.cancel();
      if (hops >= MAX_REDIRECTS) {
        throw new StrataError('network', `${spec.what}: more than ${MAX_REDIRECTS} redirects`, spec.where);
      }
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new StrataError('network', `${spec.what}: redirected to unsupported URL scheme ${next.protocol}`, spec.where);
      }
      this.logger.debug(`${spec.what}: ${reply.status} redirect to ${next.origin}${next.origin === base.origin ? '' : ' (no Authorization sent there)'}`);
      if (reply.status === 303 || ((reply.status === 301 || reply.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      } else if (body && !(spec.replayable ?? true)) {
        throw new StrataError('network', `${spec.what}: redirected while sending a stream that cannot be sent twice`, spec.where);
      }
      url = next;
    }
  }

  /** Requests a whole (small) body, retrying when the body breaks off midway. */
  async fetchWhole(spec: RequestSpec, limit: number, onLimit: (size: number) => Error): Promise<{ reply: Reply; body: Buffer }> {
    for (let attempt = 0; ; attempt++) {
      const reply = await this.request(spec);
      try {
        return { reply, body: await reply.bytes(limit, onLimit) };
      } catch (e) {
        if (e instanceof StrataError || spec.signal?.aborted) throw e;
        const failure = describeNetworkError(e);
        if (!failure) throw e;
        if (!failure.retryable || attempt >= this.policy.retries) {
          throw new StrataError('network', `${spec.what}: ${failure.message} while reading the response after ${attempt + 1} attempts`, spec.where, { cause: e });
        }
        const delay = retryDelay(attempt, this.policy, undefined);
        this.logger.warn(`${spec.what}: body broke off (${failure.message}); retrying in ${delay} ms`);
        await sleep(delay, spec.signal);
      }
    }
  }

  /** Token service requests: retried and time-limited like registry requests, no registry auth attached. */
  private async tokenRequest(
    url: URL,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; body: Buffer; headers: Headers }> {
    const spec: RequestSpec = {
      method: init.method,
      path: url,
      headers: init.headers,
      ...(init.body !== undefined ? { body: () => init.body } : {}),
      expect: [200, 400, 401, 403, 404, 405],
      what: `token request to ${url.host}`,
      where: {},
      signal,
    };
    // Redirects on the token endpoint stay on its origin for credentials (follow() compares with `url`).
    const reply = await this.attempts(spec, url, false, url);
    const body = await reply.bytes(MAX_TOKEN_RESPONSE_BYTES, (size) => new StrataError('limit', `token response of ${size} bytes from ${url.host}`));
    return { status: reply.status, body, headers: reply.res.headers };
  }

  /** Turns an unexpected status into an error naming registry, resource and credentials. */
  private async statusError(reply: Reply, spec: RequestSpec, sameOrigin: boolean, tries: number): Promise<StrataError> {
    const detail = await this.errorDetail(reply);
    const status = reply.status;
    const statusText = `${status}${reply.res.statusText ? ` ${reply.res.statusText}` : ''}`;
    const said = detail ? `: ${detail}` : '';
    const host = sameOrigin ? `registry ${this.registry}` : `${reply.url.host} (redirected blob storage)`;
    let code: ErrorCode = 'network';
    let message: string;
    if (status === 401 || status === 403) {
      code = 'auth';
      message = `${host} refused ${spec.what} (${statusText}${said}); credentials tried: ${this.auth.source}`;
    } else if (status === 404) {
      code = 'not-found';
      message = `${spec.what} not found at ${host} (${statusText}${said})`;
    } else if (status === 429) {
      message = `${host} kept rate-limiting ${spec.what} (${statusText}${said}) after ${tries} attempts`;
    } else if (status >= 500) {
      message = `${host} failed ${spec.what} with ${statusText}${said} after ${tries} attempts`;
    } else {
      if (/DIGEST_INVALID|SIZE_INVALID/.test(detail)) code = 'digest-mismatch';
      else if (status === 405 || status === 415 || /UNSUPPORTED/.test(detail)) code = 'unsupported';
      message = `${host} rejected ${spec.what} (${statusText}${said})`;
    }
    return new StrataError(code, message, spec.where);
  }

  /** The registry's own words for an error (`MANIFEST_UNKNOWN: manifest unknown`), trimmed. */
  private async errorDetail(reply: Reply): Promise<string> {
    if (reply.res.body === null || reply.header('content-length') === '0') {
      await reply.cancel();
      return '';
    }
    try {
      const body = await reply.bytes(MAX_ERROR_BODY_BYTES, () => new Error('error body too large'));
      const text = body.toString('utf8');
      try {
        const json = JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> };
        const first = json.errors?.[0];
        if (first) {
          const code = typeof first.code === 'string' ? first.code : '';
          const message = typeof first.message === 'string' ? first.message : '';
          return [code, message].filter(Boolean).join(': ').slice(0, 300);
        }
      } catch {
        // not JSON: fall through to plain text
      }
      const line = text.trim().split('\n')[0] ?? '';
      return /^[\x20-\x7e]*$/.test(line) ? line.slice(0, 200) : '';
    } catch {
      return '';
    }
  }
}
