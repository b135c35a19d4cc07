/**
 * Registry authentication state for one registry: the challenge it answered
 * with (`Basic` or `Bearer`), the credential (resolved once, on first need),
 * and bearer tokens cached per scope until shortly before they expire.
 *
 * Token flow (distribution's token spec): GET `realm?service=…&scope=repository:NAME:pull`
 * with Basic credentials when there are any; the answer is `{token}` or
 * `{access_token}` with `expires_in`. An identity token (Docker's
 * `identitytoken`) is exchanged with the OAuth2 form POST instead.
 */
import { StrataError, type ErrorWhere } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Challenge } from './challenge.js';
import { resolveCredentials, type CredentialOptions, type ResolvedCredential } from './credentials.js';
import { isLoopbackHost } from './transport.js';

/** Sends a request to the token service (with the client's retries and timeouts) and returns status and body. */
export type TokenFetcher = (
  url: URL,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  signal: AbortSignal | undefined,
) => Promise<{ status: number; body: Buffer; headers: Headers }>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens are treated as expired this long before they really do, so one in use does not lapse mid-request. */
const EXPIRY_SLACK_MS = 10_000;
/** The token spec's default lifetime when `expires_in` is absent. */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** Token responses are small JSON documents. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export function repositoryScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export class RegistryAuth {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  private credential: Promise<ResolvedCredential> | undefined;
  private resolved: ResolvedCredential | undefined;

  constructor(
    private readonly registry: string,
    private readonly repositoryHint: string | undefined,
    private readonly credentialOptions: CredentialOptions,
    private readonly fetchToken: TokenFetcher,
    private readonly logger: Logger,
    private readonly insecure: boolean,
  ) {}

  /** Where the credentials came from (`anonymous` until any were needed or found). */
  get source(): string {
    return this.resolved?.source ?? 'anonymous';
  }

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** Records the registry's challenge (from `GET /v2/` or a 401). Prefers Bearer over Basic. */
  learn(challenges: Challenge[]): void {
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (chosen) this.challenge = chosen;
  }

  private async credentials(): Promise<ResolvedCredential> {
    this.credential ??= resolveCredentials(this.registry, this.repositoryHint, this.credentialOptions).then((r) => {
      this.resolved = r;
      return r;
    });
    return this.credential;
  }

  /**
   * The Authorization header for a request in `scope`, obtaining a token first
   * when the registry wants one. Undefined when the registry asked for nothing.
   */
  async authorization(scope: string | undefined, signal: AbortSignal | undefined, where: ErrorWhere): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const { credential } = await this.credentials();
    if (credential?.registryToken) return `Bearer ${credential.registryToken}`;
    if (challenge.scheme === 'basic') {
      return credential?.username !== undefined && credential.password !== undefined ? basic(credential.username, credential.password) : undefined;
    }
    if (challenge.scheme !== 'bearer') {
      throw new StrataError('auth', `registry ${this.registry} asks for unsupported authentication "${challenge.scheme}"`, where);
    }
    const scopes = new Set<string>();
    if (scope) scopes.add(scope);
    const key = `${challenge.params.realm ?? ''}|${challenge.params.service ?? ''}|${[...scopes].join(' ')}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    let request = this.pending.get(key);
    if (!request) {
      request = this.requestToken(challenge, [...scopes], signal, where).finally(() => this.pending.delete(key));
      this.pending.set(key, request);
    }
    return `Bearer ${await request}`;
  }

  /** Forgets cached tokens (after a 401 with a token that should have worked). */
  invalidate(): void {
    this.tokens.clear();
  }

  private async requestToken(challenge: Challenge, scopes: string[], signal: AbortSignal | undefined, where: ErrorWhere): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new StrataError('auth', `registry ${this.registry} sent a Bearer challenge without a realm`, where);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new StrataError('auth', `registry ${this.registry} sent an invalid token realm "${realm}"`, where);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (this.insecure || isLoopbackHost(url.host)))) {
      throw new StrataError('auth', `registry ${this.registry} wants credentials sent to ${url.origin} without TLS; refusing (use --insecure to allow)`, where);
    }
    const { credential, source } = await this.credentials();
    const service = challenge.params.service;
    let res: { status: number; body: Buffer; headers: Headers };
    if (credential?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'strata' });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await this.fetchToken(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, signal);
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (credential?.username !== undefined && credential.password !== undefined) headers.authorization = basic(credential.username, credential.password);
      res = await this.fetchToken(url, { method: 'GET', headers }, signal);
    }
    const tokenService = `token service ${url.origin}${url.pathname}`;
    if (res.status === 401 || res.status === 403) {
      throw new StrataError(
        'auth',
        `${tokenService} of registry ${this.registry} refused a token for ${scopes.join(' ') || 'the registry'} (${res.status}); credentials tried: ${source}`,
        where,
      );
    }
    if (res.status !== 200) {
      throw new StrataError('auth', `${tokenService} of registry ${this.registry} answered ${res.status}; credentials tried: ${source}`, where);
    }
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      json = JSON.parse(res.body.toString('utf8')) as typeof json;
    } catch {
      throw new StrataError('auth', `${tokenService} returned something that is not JSON`, where);
    }
    const token = typeof json.token === 'string' && json.token ? json.token : typeof json.access_token === 'string' ? json.access_token : '';
    if (!token) throw new StrataError('auth', `${tokenService} returned no token`, where);
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    const issued = typeof json.issued_at === 'string' ? Date.parse(json.issued_at) : NaN;
    // Trust the local clock over issued_at when they disagree wildly (skewed servers).
    const start = Number.isFinite(issued) && Math.abs(issued - Date.now()) < 5 * 60_000 ? issued : Date.now();
    const expiresAt = start + lifetime * 1000 - EXPIRY_SLACK_MS;
    const key = `${challenge.params.realm ?? ''}|${service ?? ''}|${scopes.join(' ')}`;
    this.tokens.set(key, { token, expiresAt: Math.max(expiresAt, Date.now() + 1000) });
    this.logger.debug(`got a token for ${scopes.join(' ') || this.registry} from ${url.host} (${lifetime} s, credentials: ${source})`);
    return token;
  }
}

