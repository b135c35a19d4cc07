/**
 * `RegistryClient`: the OCI distribution API for one registry host, on Node's
 * global fetch.
 *
 * - Reads: `GET /v2/` (scheme and auth discovery), manifests by tag or digest
 *   (digest verified), blobs streamed as Node Readables (resumed with Range
 *   after a broken connection), small blobs read whole and verified, tags.
 * - Writes (for pushing the vulnerability database as an OCI artifact):
 *   monolithic blob upload (POST, then PUT `?digest=`; HEAD first to skip
 *   blobs the registry has), manifest PUT.
 * - HTTPS, except plain HTTP for loopback hosts and with `insecure` (HTTPS is
 *   tried first, as Docker does). Bearer-token and Basic auth (auth.ts),
 *   credentials from options, environment and Docker/podman config (credentials.ts).
 * - Retries with backoff and jitter on connection errors, 408/429/5xx,
 *   honouring Retry-After; redirects followed by hand so Authorization is
 *   never sent to another origin (blob storage gets its signed URL only).
 * - Every failure is a StrataError naming the registry, the repository and
 *   the tag/digest; auth failures name the credential source, never a secret.
 */
import type { Readable } from 'node:stream';
import { StrataError, type ErrorCode, type ErrorWhere } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { digestOf, parseDigest, verifyDigest, verifySize } from '../digest.js';
import { MANIFEST_ACCEPT, MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES, parseManifest, type ManifestDocument } from '../manifest.js';
import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../reference.js';
import { MAX_TOKEN_RESPONSE_BYTES, RegistryAuth, repositoryScope } from './auth.js';
import { BlobStream } from './blob-stream.js';
import { parseChallenges } from './challenge.js';
import type { CredentialOptions } from './credentials.js';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from './retry.js';
import { viaProxy } from '../../util/http-proxy.js';
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

export interface FetchedManifest {
  bytes: Buffer;
  /** Content-Type as served. */
  contentType: string;
  /** Verified digest of `bytes`. */
  digest: string;
  document: ManifestDocument;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Extra location details for errors (the image name). */
  where?: ErrorWhere;
}

export type BlobData = Uint8Array | Readable | (() => Readable);

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface RequestSpec {
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
const MAX_TAG_PAGES = 1000;
const USER_AGENT = 'strata (+https://github.com/strata-scanner/strata)';

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

export class RegistryClient {
  /** The registry as references name it (`docker.io`). */
  readonly registry: string;
  /** Where its API is served (`registry-1.docker.io`). */
  readonly apiHost: string;
  private readonly insecure: boolean;
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;
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

  // ---- reads ---------------------------------------------------------------

  /**
   * Fetches a manifest or index by tag or digest, verifies it (against the
   * digest asked for, else against Docker-Content-Digest) and parses it.
   */
  async getManifest(repository: string, reference: string, options: RequestOptions & { accept?: string } = {}): Promise<FetchedManifest> {
    const where = options.where ?? {};
    const what = `manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const { reply, body } = await this.fetchWhole(
      {
        method: 'GET',
        path: `/v2/${repository}/manifests/${reference}`,
        repository,
        headers: { accept: options.accept ?? MANIFEST_ACCEPT },
        expect: [200],
        what,
        where,
        signal: options.signal,
      },
      MAX_MANIFEST_BYTES,
      (size) => new StrataError('limit', `${what} is ${size} bytes, more than the ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB limit`, where),
    );
    let digest: string;
    if (reference.includes(':')) {
      verifyDigest(body, reference, what, where);
      digest = reference;
    } else {
      const served = reply.header('docker-content-digest')?.trim();
      let algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256';
      if (served) {
        try {
          algorithm = parseDigest(served).algorithm;
        } catch {
          this.logger.debug(`${what}: ignoring malformed Docker-Content-Digest "${served}"`);
        }
      }
      digest = digestOf(body, algorithm);
      if (served && served.startsWith(`${algorithm}:`) && served !== digest) {
        throw new StrataError('digest-mismatch', `${what}: registry says its digest is ${served}, its bytes hash to ${digest}`, where);
      }
      if (algorithm !== 'sha256') digest = digestOf(body, 'sha256');
    }
    const contentType = reply.header('content-type') ?? '';
    const document = parseManifest(body, contentType, where);
    return { bytes: body, contentType, digest, document };
  }

  /**
   * Streams a blob. The response status is known when this resolves (404 and
   * auth errors reject here); the stream resumes with Range requests after a
   * broken connection. The bytes are not verified: callers hash them
   * (src/layer/ does for layers; `getBlobBytes` for small blobs).
   */
  async getBlob(repository: string, digest: string, options: RequestOptions & { size?: number } = {}): Promise<Readable> {
    const where: ErrorWhere = { ...options.where, layer: options.where?.layer ?? digest };
    parseDigest(digest, where);
    const what = `blob ${digest} of ${repository} at ${this.registry}`;
    const spec = (offset: number, signal: AbortSignal | undefined): RequestSpec => ({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      expect: offset > 0 ? [200, 206] : [200],
      what,
      where,
      signal,
    });
    const first = await this.request(spec(0, options.signal));
    return new BlobStream(first, {
      size: options.size,
      resume: (offset, streamSignal) => this.request(spec(offset, anySignal(options.signal, streamSignal))),
      policy: this.policy,
      what,
      registry: this.registry,
      where,
      logger: this.logger,
    });
  }

  /** Reads a small blob (a config) whole, checking its size and digest. */
  async getBlobBytes(
    repository: string,
    descriptor: { digest: string; size?: number },
    options: RequestOptions & { maxBytes?: number; what?: string } = {},
  ): Promise<Buffer> {
    const where = options.where ?? {};
    const limit = options.maxBytes ?? MAX_CONFIG_BYTES;
    const what = options.what ?? `blob ${descriptor.digest}`;
    if (descriptor.size !== undefined && descriptor.size > limit) {
      throw new StrataError('limit', `${what} is ${descriptor.size} bytes, more than the ${limit} byte limit`, where);
    }
    parseDigest(descriptor.digest, where);
    const { body } = await this.fetchWhole(
      {
        method: 'GET',
        path: `/v2/${repository}/blobs/${descriptor.digest}`,
        repository,
        expect: [200],
        what: `${what} of ${repository}`,
        where,
        signal: options.signal,
      },
      limit,
      (size) => new StrataError('limit', `${what} is ${size} bytes, more than the ${limit} byte limit`, where),
    );
    verifySize(body, descriptor.size, what, where);
    verifyDigest(body, descriptor.digest, what, where);
    return body;
  }

  /** Whether the repository has the blob (HEAD). */
  async hasBlob(repository: string, digest: string, options: RequestOptions = {}): Promise<boolean> {
    const reply = await this.request({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      expect: [200, 404],
      what: `blob ${digest} of ${repository}`,
      where: options.where ?? {},
      signal: options.signal,
    });
    await reply.cancel();
    return reply.status === 200;
  }

  /** All tags of a repository, following `Link: <…>; rel="next"` pages. */
  async listTags(repository: string, options: RequestOptions = {}): Promise<string[]> {
    const where = options.where ?? {};
    const tags: string[] = [];
    let path: string | URL = `/v2/${repository}/tags/list`;
    for (let page = 0; page < MAX_TAG_PAGES; page++) {
      const { reply, body } = await this.fetchWhole(
        { method: 'GET', path, repository, expect: [200], what: `tags of ${repository}`, where, signal: options.signal },
        MAX_MANIFEST_BYTES,
        (size) => new StrataError('limit', `tag list page of ${repository} is ${size} bytes`, where),
      );
      let json: { tags?: unknown };
      try {
        json = JSON.parse(body.toString('utf8')) as { tags?: unknown };
      } catch {
        throw new StrataError('corrupt', `tag list of ${repository} at ${this.registry} is not JSON`, where);
      }
      if (Array.isArray(json.tags)) tags.push(...json.tags.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(reply.header('link') ?? '');
      if (!next?.[1]) return tags;
      path = new URL(next[1], reply.url);
    }
    throw new StrataError('limit', `tag list of ${repository} has more than ${MAX_TAG_PAGES} pages`, where);
  }

  // ---- writes --------------------------------------------------------------

  /**
   * Uploads a blob unless the repository already has it: POST an upload,
   * then PUT the bytes with `?digest=` (monolithic). `data` may be bytes, a
   * stream (sent once, no retry) or a function returning a fresh stream.
   */
  async pushBlob(
    repository: string,
    data: BlobData,
    digest: string,
    options: RequestOptions & { size?: number } = {},
  ): Promise<{ digest: string; size: number | undefined; existed: boolean }> {
    const where = options.where ?? {};
    const parsed = parseDigest(digest, where);
    const size = data instanceof Uint8Array ? data.length : options.size;
    if (data instanceof Uint8Array) verifyDigest(data, digest, `blob to push`, where);
    if (await this.hasBlob(repository, digest, { signal: options.signal, where })) {
      this.logger.debug(`blob ${digest} already in ${repository}; not uploading`);
      return { digest, size, existed: true };
    }
    const what = `upload of blob ${digest} to ${repository} at ${this.registry}`;
    const started = await this.request({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      repository,
      push: true,
      expect: [202],
      what,
      where,
      signal: options.signal,
    });
    await started.cancel();
    const location = started.header('location');
    if (!location) throw new StrataError('network', `${what}: the registry gave no upload Location`, where);
    const target = new URL(location, started.url);
    target.searchParams.set('digest', parsed.digest);
    // fetch sets Content-Length for bytes; a stream of known size gets it by hand (else it goes chunked).
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (!(data instanceof Uint8Array) && size !== undefined) headers['content-length'] = String(size);
    const replayable = !(typeof data === 'object' && !(data instanceof Uint8Array));
    const body = (): RequestInit['body'] => {
      if (data instanceof Uint8Array) return data;
      // Node's fetch accepts async iterables (a Readable) as a streamed body.
      const stream = typeof data === 'function' ? data() : data;
      return stream;
    };
    const done = await this.request({
      method: 'PUT',
      path: target,
      repository,
      push: true,
      headers,
      body,
      replayable,
      expect: [201],
      what,
      where,
      signal: options.signal,
    });
    await done.cancel();
    const stored = done.header('docker-content-digest');
    if (stored && stored !== digest) {
      throw new StrataError('digest-mismatch', `${what}: the registry stored it as ${stored}`, where);
    }
    return { digest, size, existed: false };
  }

  /**
   * Uploads a manifest under a tag or its digest. Returns its digest and, when
   * the registry processed a `subject` (referrers API), the OCI-Subject it echoed.
   */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options: RequestOptions = {},
  ): Promise<{ digest: string; subject?: string }> {
    const where = options.where ?? {};
    const digest = reference.includes(':') ? reference : digestOf(bytes);
    if (reference.includes(':')) verifyDigest(bytes, reference, 'manifest to push', where);
    const what = `upload of manifest ${repository}${reference.includes(':') ? '@' : ':'}${reference} to ${this.registry}`;
    const reply = await this.request({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      push: true,
      headers: { 'content-type': mediaType },
      body: () => bytes,
      expect: [200, 201],
      what,
      where,
      signal: options.signal,
    });
    await reply.cancel();
    const stored = reply.header('docker-content-digest');
    if (stored && stored.startsWith('sha256:') && stored !== digest) {
      throw new StrataError('digest-mismatch', `${what}: the registry stored it as ${stored}, expected ${digest}`, where);
    }
    const subject = reply.header('oci-subject') ?? undefined;
    return subject ? { digest, subject } : { digest };
  }

  // ---- plumbing ------------------------------------------------------------

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
  private async request(spec: RequestSpec): Promise<Reply> {
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
  private async fetchWhole(spec: RequestSpec, limit: number, onLimit: (size: number) => Error): Promise<{ reply: Reply; body: Buffer }> {
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
