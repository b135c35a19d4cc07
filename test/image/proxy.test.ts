/**
 * `strata image` behind an HTTP proxy taken from the environment, as Docker
 * and Trivy read it: Debian's docker-registry on loopback, reached only
 * through a forward proxy in this test that knows two made-up host names
 * (the client never resolves them itself, so a request that bypassed the
 * proxy fails): `secure.example.test` through a CONNECT tunnel to a TLS
 * front (self-signed, hence --insecure), `plain.example.test` as
 * absolute-form plain HTTP requests. The proxy can demand credentials (407).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import { forward, layoutManifest, startRegistry, type TestRegistry } from './helpers.js';

interface ProxyLog {
  connects: string[];
  requests: string[];
  refused: number;
}

let registry: TestRegistry;
let tlsFront: https.Server;
let tlsPort = 0;
let proxy: http.Server;
let proxyPort = 0;
let requiredAuth: string | undefined;
const log: ProxyLog = { connects: [], requests: [], refused: 0 };
const work = mkdtempSync(path.join(os.tmpdir(), 'strata-proxy-'));

function authorized(header: string | undefined): boolean {
  return requiredAuth === undefined || header === `Basic ${Buffer.from(requiredAuth).toString('base64')}`;
}

beforeAll(async () => {
  registry = await startRegistry();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${work}/key.pem`, '-out', `${work}/cert.pem`, '-days', '1', '-subj', '/CN=secure.example.test'], {
    stdio: 'ignore',
  });
  tlsFront = https.createServer({ key: readFileSync(`${work}/key.pem`), cert: readFileSync(`${work}/cert.pem`) }, (req, res) => void forward(req, res, registry.host));
  await new Promise<void>((resolve) => tlsFront.listen(0, '127.0.0.1', resolve));
  tlsPort = (tlsFront.address() as AddressInfo).port;

  proxy = http.createServer((req, res) => {
    // Absolute-form: GET http://plain.example.test:5000/v2/ HTTP/1.1
    log.requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (!authorized(req.headers['proxy-authorization'])) {
      log.refused++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    const target = new URL(req.url ?? '/');
    if (target.hostname !== 'plain.example.test') {
      res.writeHead(502).end();
      return;
    }
    req.url = `${target.pathname}${target.search}`;
    void forward(req, res, registry.host);
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    log.connects.push(req.url ?? '');
    if (!authorized(req.headers['proxy-authorization'])) {
      log.refused++;
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (req.url !== 'secure.example.test:443') {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(tlsPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as AddressInfo).port;
}, 180_000);

afterEach(() => {
  requiredAuth = undefined;
  log.connects.length = 0;
  log.requests.length = 0;
  log.refused = 0;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  tlsFront?.closeAllConnections();
  await Promise.all([
    new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve())),
    new Promise<void>((resolve) => (tlsFront ? tlsFront.close(() => resolve()) : resolve())),
  ]);
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Report {
  artifact: { name: string; digest: string };
  layers: unknown[];
}

const proxyUrl = (auth = ''): string => `http://${auth}127.0.0.1:${proxyPort}`;

describe('strata image through a proxy from the environment', () => {
  it('HTTPS_PROXY: an https registry through a CONNECT tunnel', async () => {
    const run = await runStrata(['image', 'secure.example.test/test/debian:12', '--insecure', '-f', 'json', ...noDb(work)], { env: { HTTPS_PROXY: proxyUrl() } });
    const report = okJson<Report>(run);
    expect(report.artifact.digest).toBe(layoutManifest().digest);
    expect(report.layers).toHaveLength(3);
    expect(log.connects.length).toBeGreaterThan(0);
    expect(new Set(log.connects)).toEqual(new Set(['secure.example.test:443']));
  });

  it('HTTP_PROXY: a plain-HTTP registry (--insecure) as absolute-form requests; lower-case variables work too', async () => {
    const run = await runStrata(['image', 'plain.example.test:5000/test/debian:12', '--insecure', '-f', 'json', ...noDb(work)], {
      env: { http_proxy: proxyUrl(), https_proxy: proxyUrl() },
    });
    expect(okJson<Report>(run).artifact.digest).toBe(layoutManifest().digest);
    expect(log.requests).toContain('GET http://plain.example.test:5000/v2/test/debian/manifests/12');
    // HTTPS was tried first, through a tunnel the proxy refused, then plain HTTP.
    expect(log.connects).toContain('plain.example.test:5000');
  });

  it('credentials in the proxy URL are sent to the proxy; a refusal names the proxy, never the password', async () => {
    requiredAuth = 'scanner:pr0xy-pass';
    const ok = await runStrata(['image', 'secure.example.test/test/debian:12', '--insecure', '-f', 'json', ...noDb(work)], {
      env: { HTTPS_PROXY: proxyUrl('scanner:pr0xy-pass@') },
    });
    expect(okJson<Report>(ok).artifact.digest).toBe(layoutManifest().digest);
    expect(log.refused).toBe(0);

    const bad = await runStrata(['image', 'secure.example.test/test/debian:12', '-f', 'json', ...noDb(work)], {
      env: { HTTPS_PROXY: proxyUrl('scanner:wr0ng-pass@') },
    });
    expectCleanError(bad, {
      mentions: ['secure.example.test', 'proxy authentication required', `through proxy http://127.0.0.1:${proxyPort}`],
      secret: 'wr0ng-pass',
    });
    expect(log.refused).toBeGreaterThan(0);
  });

  it('NO_PROXY sends a host direct (here: a name nobody resolves), and loopback never goes through the proxy', async () => {
    const bypassed = await runStrata(['image', 'secure.example.test/test/debian:12', '-f', 'json', ...noDb(work)], {
      env: { HTTPS_PROXY: proxyUrl(), NO_PROXY: 'localhost,.example.test' },
    });
    expectCleanError(bypassed, { mentions: ['secure.example.test', 'host name not found'] });
    expect(log.connects).toEqual([]);

    // A dead proxy does not matter for a loopback registry.
    const direct = await runStrata(['image', `${registry.host}/test/debian:12`, '-f', 'json', ...noDb(work)], {
      env: { HTTPS_PROXY: 'http://127.0.0.1:1', HTTP_PROXY: 'http://127.0.0.1:1' },
    });
    expect(okJson<Report>(direct).artifact.digest).toBe(layoutManifest().digest);
  });
});
