/**
 * Registry authentication end to end: Debian's docker-registry with htpasswd
 * basic auth, and in front of it a bearer-token service written here (its
 * own /token endpoint issuing scoped tokens, a proxy that demands them), plus
 * a blob-storage host on another loopback address that the proxy redirects
 * blob downloads to, to check that Authorization never travels there.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../src/core/errors.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/image/registry/client.js';
import { openRegistryImage, type RegistryImageOptions } from '../../src/image/registry/image.js';
import { expectedLayers, forward, layoutManifest, sha256, sha256Of, startRegistry, startServer, type TestRegistry, type TestServer } from './helpers.js';

const REGISTRY_USER = 'scanner';
const REGISTRY_PASS = 's3cret-registry';
const TOKEN_USER = 'tokenuser';
const TOKEN_PASS = 'tokenpass-Zq9';
const IDENTITY_TOKEN = 'refresh-token-77';
const registryBasic = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASS}`).toString('base64')}`;

let registry: TestRegistry;
let tokenProxy: TestServer;
let storage: TestServer;
let tmp: string;

/** Token service state. */
const issued = new Map<string, Set<string>>();
const tokenRequests: Array<{ method: string; scopes: string[]; user?: string }> = [];
let answerWith: 'token' | 'access_token' = 'token';
let redirectBlobs = false;

const fast: Omit<RegistryClientOptions, 'registry'> = { retryBaseDelayMs: 10, retryMaxDelayMs: 2000, env: {}, homeDir: '/nonexistent' };

function basicUser(header: string | undefined): { user: string; pass: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString();
  const i = decoded.indexOf(':');
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/** The token endpoint: scoped tokens for tokenuser (all repositories) and for anonymous (public/ only). */
async function tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  let scopes = url.searchParams.getAll('scope');
  let user: string | undefined;
  if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== IDENTITY_TOKEN) {
      res.writeHead(401).end('{"error":"invalid_grant"}');
      return;
    }
    user = TOKEN_USER;
  } else {
    const basic = basicUser(req.headers.authorization);
    if (basic) {
      if (basic.user !== TOKEN_USER || basic.pass !== TOKEN_PASS) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
      user = basic.user;
    }
  }
  if (url.searchParams.get('service') !== 'strata-test' && req.method === 'GET') {
    res.writeHead(400).end('bad service');
    return;
  }
  tokenRequests.push({ method: req.method ?? 'GET', scopes, ...(user ? { user } : {}) });
  const granted = new Set<string>();
  for (const scope of scopes) {
    const [, repo, actions] = /^repository:([^:]+):(.+)$/.exec(scope) ?? [];
    if (!repo || !actions) continue;
    if (user || repo.startsWith('public/')) for (const a of actions.split(',')) granted.add(`${repo}:${a}`);
  }
  const token = randomBytes(16).toString('hex');
  issued.set(token, granted);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ [answerWith]: token, expires_in: 300 }));
}

/** The registry front: demands a Bearer token with the right scope, then forwards with the registry's own basic auth. */
async function guardedRegistry(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (url.startsWith('/token')) return tokenEndpoint(req, res);
  const realm = `Bearer realm="${tokenProxy.url}/token",service="strata-test"`;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const grants = token ? issued.get(token) : undefined;
  if (url === '/v2/' || url === '/v2') {
    if (!grants) res.writeHead(401, { 'www-authenticate': realm }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  const repo = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url)?.[1] ?? '';
  const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
  if (!grants?.has(`${repo}:${action}`)) {
    res.writeHead(401, { 'www-authenticate': `${realm},scope="repository:${repo}:${action}"`, 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return;
  }
  const blob = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url);
  if (redirectBlobs && blob && req.method === 'GET') {
    res.writeHead(307, { location: `${storage.url}/storage/${blob[1]}/${blob[2]}?signature=abc` }).end();
    return;
  }
  req.headers.authorization = registryBasic;
  await forward(req, res, registry.host);
}

/** Blob storage on another loopback host: serves blobs from the registry with its own access. */
async function blobStorage(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const m = /^\/storage\/(.+)\/(sha256:[a-f0-9]{64})\?signature=abc$/.exec(req.url ?? '');
  if (!m) {
    res.writeHead(403).end('bad signature');
    return;
  }
  req.url = `/v2/${m[1]}/blobs/${m[2]}`;
  const range = req.headers.range;
  req.headers = { authorization: registryBasic, ...(range ? { range } : {}) };
  await forward(req, res, registry.host);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-auth-test-'));
  registry = await startRegistry({ auth: `${REGISTRY_USER}:${REGISTRY_PASS}` });
  tokenProxy = await startServer(guardedRegistry);
  storage = await startServer(blobStorage, '127.0.0.2');
});

afterAll(async () => {
  await storage?.close();
  await tokenProxy?.close();
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  tokenRequests.length = 0;
  tokenProxy.seen.length = 0;
  storage.seen.length = 0;
  answerWith = 'token';
  redirectBlobs = false;
});

async function errorOf(p: Promise<unknown>): Promise<StrataError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StrataError);
  return e as StrataError;
}

function open(ref: string, options: RegistryImageOptions = {}) {
  return openRegistryImage(ref, { ...options, clientOptions: { ...fast, ...options.clientOptions } });
}

describe('basic auth (htpasswd registry)', () => {
  it('names the registry and "anonymous" when no credentials are found', async () => {
    const e = await errorOf(open(`${registry.host}/test/debian:12`));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(`registry ${registry.host} refused manifest test/debian:12 (401 Unauthorized`);
    expect(e.message).toContain('credentials tried: anonymous');
  });

  it('pulls with --username/--password', async () => {
    const image = await open(`${registry.host}/test/debian:12`, { credentials: { username: REGISTRY_USER, password: REGISTRY_PASS } });
    expect(image.digest).toBe(layoutManifest().digest);
    const { digest } = await sha256Of(await (image.layers[2] as (typeof image.layers)[number]).open());
    expect(digest).toBe(expectedLayers()[2]?.digest);
  });

  it('says which source gave wrong credentials, never the secret', async () => {
    const e = await errorOf(open(`${registry.host}/test/debian:12`, { credentials: { username: REGISTRY_USER, password: 'wrong-pass-123' } }));
    expect(e.code).toBe('auth');
    expect(e.message).toContain('credentials tried: --username');
    expect(e.message).not.toContain('wrong-pass-123');
  });

  it('reads STRATA_USERNAME/STRATA_PASSWORD and docker config auths', async () => {
    const fromEnv = await open(`${registry.host}/test/debian:12`, {
      clientOptions: { env: { STRATA_USERNAME: REGISTRY_USER, STRATA_PASSWORD: REGISTRY_PASS } },
    });
    expect(fromEnv.layers).toHaveLength(3);
    const dockerDir = path.join(tmp, 'docker-basic');
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(
      path.join(dockerDir, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASS}`).toString('base64') } } }),
    );
    const fromConfig = await open(`${registry.host}/test/debian:12`, { clientOptions: { env: { DOCKER_CONFIG: dockerDir } } });
    expect(fromConfig.digest).toBe(layoutManifest().digest);
    writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${REGISTRY_USER}:nope`).toString('base64') } } }));
    const e = await errorOf(open(`${registry.host}/test/debian:12`, { clientOptions: { env: { DOCKER_CONFIG: dockerDir } } }));
    expect(e.message).toContain(`credentials tried: docker config ${path.join(dockerDir, 'config.json')} (auths)`);
  });
});

describe('bearer tokens (token service in front of the registry)', () => {
  const ref = () => `${tokenProxy.host}/test/debian:12`;
  const user = { username: TOKEN_USER, password: TOKEN_PASS };

  it('gets one scoped token with basic credentials and reuses it for every request', async () => {
    const image = await open(ref(), { credentials: user });
    for (const layer of image.layers) expect((await sha256Of(await layer.open())).digest).toBe(layer.digest);
    expect(tokenRequests).toEqual([{ method: 'GET', scopes: ['repository:test/debian:pull'], user: TOKEN_USER }]);
    const registryRequests = tokenProxy.seen.filter((r) => r.url.startsWith('/v2/test/'));
    expect(registryRequests.length).toBeGreaterThanOrEqual(5);
    expect(registryRequests.filter((r) => !r.headers.authorization?.startsWith('Bearer ')).map((r) => r.url)).toEqual([]);
  });

  it('accepts access_token answers and anonymous tokens for public repositories', async () => {
    const c = new RegistryClient({ registry: tokenProxy.host, ...fast, credentials: user });
    const config = Buffer.from('{"public":true}');
    await c.pushBlob('public/data', config, sha256(config));
    answerWith = 'access_token';
    const anonymous = new RegistryClient({ registry: tokenProxy.host, ...fast });
    expect((await anonymous.getBlobBytes('public/data', { digest: sha256(config), size: config.length })).equals(config)).toBe(true);
    expect(tokenRequests.at(-1)).toEqual({ method: 'GET', scopes: ['repository:public/data:pull'] });
  });

  it('asks for pull,push scope when pushing', async () => {
    const c = new RegistryClient({ registry: tokenProxy.host, ...fast, credentials: user });
    const blob = Buffer.from(randomBytes(1000));
    await c.pushBlob('team/pushed', blob, sha256(blob));
    expect(tokenRequests.map((t) => t.scopes.join(' '))).toContain('repository:team/pushed:pull,push');
  });

  it('refuses anonymous access to a private repository, naming the token service', async () => {
    const e = await errorOf(open(ref()));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(`refused manifest test/debian:12`);
    expect(e.message).toContain('credentials tried: anonymous');
  });

  it('reports rejected credentials from the token service without the secret', async () => {
    const e = await errorOf(open(ref(), { credentials: { username: TOKEN_USER, password: 'not-the-password' } }));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(`token service ${tokenProxy.url}/token of registry ${tokenProxy.host} refused a token for repository:test/debian:pull (401)`);
    expect(e.message).toContain('credentials tried: --username');
    expect(e.message).not.toContain('not-the-password');
  });

  it('fetches a new token when the registry stops accepting the cached one', async () => {
    const c = new RegistryClient({ registry: tokenProxy.host, ...fast, credentials: user });
    await c.getManifest('test/debian', '12');
    issued.clear(); // the token service revoked everything
    const again = await c.getManifest('test/debian', '12');
    expect(again.digest).toBe(layoutManifest().digest);
    expect(tokenRequests).toHaveLength(2);
  });

  it('uses an identity token from a credential helper (OAuth2 refresh-token grant)', async () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const helper = path.join(bin, 'docker-credential-strataauth');
    writeFileSync(
      helper,
      `#!/bin/sh\nserver=$(cat)\n[ "$server" = "${tokenProxy.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"<token>","Secret":"${IDENTITY_TOKEN}"}' "$server"\n`,
    );
    chmodSync(helper, 0o755);
    const dockerDir = path.join(tmp, 'docker-helper');
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(path.join(dockerDir, 'config.json'), JSON.stringify({ credsStore: 'strataauth' }));
    const env = { DOCKER_CONFIG: dockerDir, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const image = await open(ref(), { clientOptions: { env } });
    expect(image.digest).toBe(layoutManifest().digest);
    expect(tokenRequests[0]).toEqual({ method: 'POST', scopes: ['repository:test/debian:pull'], user: TOKEN_USER });
  });

  it('follows a 307 to blob storage on another host without sending Authorization there', async () => {
    redirectBlobs = true;
    const image = await open(ref(), { credentials: user });
    const layer = image.layers[1] as (typeof image.layers)[number];
    expect((await sha256Of(await layer.open())).digest).toBe(layer.digest);
    expect(storage.seen.length).toBeGreaterThanOrEqual(2); // config + layer
    expect(storage.seen.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(tokenProxy.seen.filter((r) => r.url.includes('/blobs/')).every((r) => r.headers.authorization?.startsWith('Bearer '))).toBe(true);
  });
});
