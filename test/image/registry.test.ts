/**
 * The registry client against Debian's real docker-registry on loopback, with
 * the test image pushed by skopeo; a fault-injecting proxy in front of it for
 * 5xx, 429 + Retry-After, broken and stalled bodies, registries without Range
 * support and tampered digests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image.js';
import { MediaTypes } from '../../src/image/manifest.js';
import { openImage } from '../../src/image/open.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/image/registry/client.js';
import { openRegistryImage } from '../../src/image/registry/image.js';
import {
  expectedLayers,
  forward,
  freePort,
  layoutManifest,
  readBlob,
  sha256,
  sha256Of,
  startRegistry,
  startServer,
  type TestRegistry,
  type TestServer,
} from './helpers.js';

let registry: TestRegistry;
let proxy: TestServer;
/** When set, handles proxy requests it returns true for; others are forwarded untouched. */
let rule: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>) | undefined;

const fast: Partial<RegistryClientOptions> = { retryBaseDelayMs: 10, retryMaxDelayMs: 3000 };

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startServer(async (req, res) => {
    if (rule && (await rule(req, res))) return;
    await forward(req, res, registry.host);
  });
});

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

afterEach(() => {
  rule = undefined;
  proxy.seen.length = 0;
});

async function errorOf(p: Promise<unknown>): Promise<StrataError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StrataError);
  return e as StrataError;
}

function client(host: string, extra: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ registry: host, ...fast, ...extra });
}

async function checkImage(image: Image): Promise<void> {
  const expected = expectedLayers();
  expect(image.layers.map((l) => ({ diffId: l.diffId, digest: l.digest, size: l.size, createdBy: l.createdBy }))).toEqual(expected);
  for (const layer of image.layers) {
    const { digest, bytes } = await sha256Of(await layer.open());
    expect(digest).toBe(layer.digest);
    expect(bytes).toBe(layer.size);
  }
}

describe('pulling from docker-registry', () => {
  it('reads the pushed image: manifest digest, config, layers with createdBy, blobs that hash to their digests', async () => {
    const image = await openRegistryImage(`${registry.host}/test/debian:12`, { clientOptions: fast });
    expect(image.source).toBe('registry');
    expect(image.name).toBe(`${registry.host}/test/debian:12`);
    expect(image.digest).toBe(layoutManifest().digest);
    const manifest = JSON.parse(readBlob(layoutManifest().digest).toString()) as { config: { digest: string } };
    expect(image.configDigest).toBe(manifest.config.digest);
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.config?.rootfs.diff_ids).toEqual(expectedLayers().map((l) => l.diffId));
    expect(image.layers.every((l) => l.mediaType === MediaTypes.ociLayerGzip)).toBe(true);
    await checkImage(image);
    await image.close();
  });

  it('pulls by digest, through openImage', async () => {
    const { digest } = layoutManifest();
    const image = await openImage(`${registry.host}/test/debian@${digest}`, { clientOptions: fast });
    expect(image.digest).toBe(digest);
    expect(image.layers).toHaveLength(3);
  });

  it('lists tags', async () => {
    expect(await client(registry.host).listTags('test/debian')).toContain('12');
  });

  it('says not found, naming repository and tag or digest', async () => {
    const tag = await errorOf(openRegistryImage(`${registry.host}/test/debian:13`, { clientOptions: fast }));
    expect(tag.code).toBe('not-found');
    expect(tag.message).toContain(`image ${registry.host}/test/debian:13: manifest test/debian:13 not found at registry ${registry.host}`);
    expect(tag.message).toContain('MANIFEST_UNKNOWN');
    const missing = `sha256:${'0'.repeat(64)}`;
    const byDigest = await errorOf(openRegistryImage(`${registry.host}/test/debian@${missing}`, { clientOptions: fast }));
    expect(byDigest.message).toContain(`manifest test/debian@${missing} not found`);
    const repo = await errorOf(openRegistryImage(`${registry.host}/nothing/here:1`, { clientOptions: fast }));
    expect(repo.code).toBe('not-found');
    const blob = await errorOf(client(registry.host).getBlob('test/debian', missing));
    expect(blob.code).toBe('not-found');
    expect(blob.where.layer).toBe(missing);
  });

  it('fails fast and clearly when nothing listens', async () => {
    const port = await freePort();
    const e = await errorOf(openRegistryImage(`127.0.0.1:${port}/x/y:1`, { retries: 1, clientOptions: fast }));
    expect(e.code).toBe('network');
    expect(e.message).toContain('connection refused');
    expect(e.message).toContain('after 2 attempts');
  });
});

describe('TLS on loopback', () => {
  it('prefers HTTPS and accepts a self-signed certificate on a loopback registry, as Docker does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=localhost'], {
        stdio: 'ignore',
      });
      const seen: string[] = [];
      const server = https.createServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, (req, res) => {
        seen.push(req.url ?? '');
        void forward(req, res, registry.host);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const image = await openRegistryImage(`127.0.0.1:${port}/test/debian:12`, { clientOptions: fast });
        expect(image.digest).toBe(layoutManifest().digest);
        expect((await sha256Of(await (image.layers[2] as Image['layers'][number]).open())).digest).toBe(expectedLayers()[2]?.digest);
        expect(seen).toContain('/v2/');
        expect(seen).toContain('/v2/test/debian/manifests/12');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pushing', () => {
  it('uploads blobs (bytes and streams), skips ones that exist, and pushes manifests and indexes', async () => {
    const c = client(registry.host);
    const config = Buffer.from(JSON.stringify({ created: '2026-01-01T00:00:00Z', schema: 1 }));
    const layer = Buffer.from('vulnerability database bytes '.repeat(10_000));
    const configDigest = sha256(config);
    const layerDigest = sha256(layer);
    expect(await c.pushBlob('strata/db', config, configDigest)).toEqual({ digest: configDigest, size: config.length, existed: false });
    expect((await c.pushBlob('strata/db', config, configDigest)).existed).toBe(true);
    const pushed = await c.pushBlob('strata/db', () => Readable.from([layer.subarray(0, 1000), layer.subarray(1000)]), layerDigest, { size: layer.length });
    expect(pushed.existed).toBe(false);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociManifest,
        artifactType: 'application/vnd.strata.db',
        config: { mediaType: 'application/vnd.strata.db.config.v1+json', digest: configDigest, size: config.length },
        layers: [{ mediaType: 'application/vnd.strata.db.layer.v1+gzip', digest: layerDigest, size: layer.length }],
      }),
    );
    const { digest } = await c.pushManifest('strata/db', 'v1', manifest, MediaTypes.ociManifest);
    expect(digest).toBe(sha256(manifest));
    const back = await c.getManifest('strata/db', 'v1');
    expect(back.digest).toBe(digest);
    expect(back.bytes.equals(manifest)).toBe(true);
    expect((await c.getBlobBytes('strata/db', { digest: layerDigest, size: layer.length }, { maxBytes: 1 << 20 })).equals(layer)).toBe(true);
    expect(await c.listTags('strata/db')).toEqual(['v1']);
    // an artifact is not a container image
    const e = await errorOf(openRegistryImage(`${registry.host}/strata/db:v1`, { clientOptions: fast }));
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain('application/vnd.strata.db.config.v1+json');
  });

  it('refuses to push bytes that do not match the digest', async () => {
    const e = await errorOf(client(registry.host).pushBlob('strata/db', Buffer.from('abc'), sha256('abd')));
    expect(e.code).toBe('digest-mismatch');
    // a stream is checked by the registry (DIGEST_INVALID)
    const streamed = await errorOf(client(registry.host).pushBlob('strata/db', Readable.from([Buffer.from('abc')]), sha256('abe'), { size: 3 }));
    expect(streamed.code).toBe('digest-mismatch');
    expect(streamed.message).toContain('DIGEST_INVALID');
  });

  it('chooses the platform from a multi-platform index', async () => {
    const c = client(registry.host);
    const real = layoutManifest();
    const realManifest = JSON.parse(readBlob(real.digest).toString()) as { config: { digest: string; size: number; mediaType: string } };
    const config = JSON.parse(readBlob(realManifest.config.digest).toString()) as Record<string, unknown>;
    // A second platform: same layers, a config that says arm64.
    const armConfig = Buffer.from(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' }));
    await c.pushBlob('test/debian', armConfig, sha256(armConfig));
    const armManifest = Buffer.from(
      JSON.stringify({ ...JSON.parse(readBlob(real.digest).toString()), config: { ...realManifest.config, digest: sha256(armConfig), size: armConfig.length } }),
    );
    const arm = await c.pushManifest('test/debian', sha256(armManifest), armManifest, MediaTypes.ociManifest);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: real.digest, size: real.size, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaTypes.ociManifest, digest: arm.digest, size: armManifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
          {
            mediaType: MediaTypes.ociManifest,
            digest: real.digest,
            size: real.size,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
      }),
    );
    await c.pushManifest('test/debian', 'multi', index, MediaTypes.ociIndex);
    const armImage = await openRegistryImage(`${registry.host}/test/debian:multi`, { platform: 'linux/arm64', clientOptions: fast });
    expect(armImage.digest).toBe(arm.digest);
    expect(armImage.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(armImage.layers.map((l) => l.digest)).toEqual(expectedLayers().map((l) => l.digest));
    const amd = await openRegistryImage(`${registry.host}/test/debian:multi`, { platform: 'linux/amd64', clientOptions: fast });
    expect(amd.digest).toBe(real.digest);
    const none = await errorOf(openRegistryImage(`${registry.host}/test/debian:multi`, { platform: 'linux/s390x', clientOptions: fast }));
    expect(none.code).toBe('not-found');
    expect(none.message).toContain('no manifest for platform linux/s390x in the image index; it has: linux/amd64, linux/arm64/v8');
    // a single-platform image asked for another platform
    const wrong = await errorOf(openRegistryImage(`${registry.host}/test/debian:12`, { platform: 'linux/arm64', clientOptions: fast }));
    expect(wrong.message).toContain('the image is linux/amd64, not the requested linux/arm64');
  });
});

describe('faults on the way (loopback proxy)', () => {
  const ref = () => `${proxy.host}/test/debian:12`;
  const isManifest = (req: http.IncomingMessage) => req.method === 'GET' && /\/manifests\//.test(req.url ?? '');
  const isBlob = (digest: string) => (req: http.IncomingMessage) => req.method === 'GET' && (req.url ?? '').endsWith(`/blobs/${digest}`);

  it('retries 5xx and succeeds', async () => {
    let failures = 2;
    rule = (req, res) => {
      if (isManifest(req) && failures > 0) {
        failures--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
        return true;
      }
      return false;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    expect(image.digest).toBe(layoutManifest().digest);
    expect(proxy.seen.filter((r) => /\/manifests\//.test(r.url))).toHaveLength(3);
  });

  it('waits as long as Retry-After says after a 429', async () => {
    const configDigest = (JSON.parse(readBlob(layoutManifest().digest).toString()) as { config: { digest: string } }).config.digest;
    let throttled = false;
    rule = (req, res) => {
      if (isBlob(configDigest)(req) && !throttled) {
        throttled = true;
        res.writeHead(429, { 'retry-after': '1' }).end();
        return true;
      }
      return false;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    expect(image.configDigest).toBe(configDigest);
    const tries = proxy.seen.filter((r) => r.url.endsWith(configDigest));
    expect(tries).toHaveLength(2);
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('gives up on a registry that keeps failing, saying how often it tried', async () => {
    rule = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(500).end('boom');
      return true;
    };
    const e = await errorOf(openRegistryImage(ref(), { retries: 2, clientOptions: fast }));
    expect(e.code).toBe('network');
    expect(e.message).toContain(`registry ${proxy.host} failed manifest test/debian:12 with 500 Internal Server Error: boom after 3 attempts`);
  });

  it('resumes a broken layer download with a Range request', async () => {
    const big = expectedLayers()[0] as { digest: string; size: number };
    let broken = false;
    rule = async (req, res) => {
      if (isBlob(big.digest)(req) && !broken) {
        broken = true;
        await forward(req, res, registry.host, { truncateAfter: 5_000_000 });
        return true;
      }
      return false;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    const { digest, bytes } = await sha256Of(await (image.layers[0] as Image['layers'][number]).open());
    expect(digest).toBe(big.digest);
    expect(bytes).toBe(big.size);
    const tries = proxy.seen.filter((r) => r.url.endsWith(big.digest));
    expect(tries).toHaveLength(2);
    expect(tries[1]?.headers.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)-/.exec(tries[1]?.headers.range ?? '')?.[1])).toBeGreaterThan(0);
  });

  it('fails clearly when the registry cannot resume (no Range support)', async () => {
    const big = expectedLayers()[0] as { digest: string; size: number };
    let broken = false;
    rule = async (req, res) => {
      if (!isBlob(big.digest)(req)) return false;
      if (!broken) {
        broken = true;
        await forward(req, res, registry.host, { truncateAfter: 1_000_000 });
      } else {
        await forward(req, res, registry.host, { stripRange: true });
      }
      return true;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    const e = await errorOf(sha256Of(await (image.layers[0] as Image['layers'][number]).open()));
    expect(e.code).toBe('network');
    expect(e.where.layer).toBe(big.digest);
    expect(e.message).toMatch(/transfer broke at byte \d+ of 7\d+ .*does not support Range requests, so the download cannot be resumed/);
  });

  it('times out a stalled body and resumes', async () => {
    const layer = expectedLayers()[1] as { digest: string; size: number };
    let stalls = 1;
    rule = async (req, res) => {
      if (isBlob(layer.digest)(req) && stalls > 0) {
        stalls--;
        await forward(req, res, registry.host, { stallAfter: 2_000_000 });
        return true;
      }
      return false;
    };
    const image = await openRegistryImage(ref(), { clientOptions: { ...fast, stallTimeoutMs: 400 } });
    const { digest } = await sha256Of(await (image.layers[1] as Image['layers'][number]).open());
    expect(digest).toBe(layer.digest);
  });

  it('gives up on a body that keeps stalling, with a clear error', async () => {
    const layer = expectedLayers()[1] as { digest: string; size: number };
    rule = async (req, res) => {
      if (!isBlob(layer.digest)(req)) return false;
      await forward(req, res, registry.host, { stallAfter: 100_000 });
      return true;
    };
    const image = await openRegistryImage(ref(), { retries: 1, clientOptions: { ...fast, stallTimeoutMs: 300 } });
    const e = await errorOf(sha256Of(await (image.layers[1] as Image['layers'][number]).open()));
    expect(e.message).toContain('stalled transfer');
    expect(e.message).toContain('gave up after 1 resumed attempts');
  });

  it('times out a server that never answers', async () => {
    rule = (req) => isManifest(req); // swallow: never respond
    const e = await errorOf(openRegistryImage(ref(), { retries: 1, clientOptions: { ...fast, requestTimeoutMs: 300 } }));
    expect(e.code).toBe('network');
    expect(e.message).toContain('no response within 0.3 s');
  });

  it('drops the download when the consumer stops early, read or not', async () => {
    const big = expectedLayers()[0] as { digest: string; size: number };
    const closed: Array<Promise<void>> = [];
    rule = async (req, res) => {
      if (!isBlob(big.digest)(req)) return false;
      closed.push(new Promise((resolve) => res.on('close', () => resolve())));
      await forward(req, res, registry.host).catch(() => undefined);
      return true;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    const layer = image.layers[0] as Image['layers'][number];
    const unread = await layer.open();
    unread.destroy();
    const partly = await layer.open();
    for await (const chunk of partly) {
      if ((chunk as Buffer).length > 0) break; // leaving the loop destroys the stream
    }
    await Promise.all(closed);
    expect(closed).toHaveLength(2);
  }, 20_000);

  it('retries a config blob whose body breaks off', async () => {
    const configDigest = (JSON.parse(readBlob(layoutManifest().digest).toString()) as { config: { digest: string } }).config.digest;
    let broken = false;
    rule = async (req, res) => {
      if (isBlob(configDigest)(req) && !broken) {
        broken = true;
        await forward(req, res, registry.host, { truncateAfter: 100 });
        return true;
      }
      return false;
    };
    const image = await openRegistryImage(ref(), { clientOptions: fast });
    expect(image.configDigest).toBe(configDigest);
  });

  it('detects a manifest whose bytes do not match the digest the registry claims', async () => {
    rule = async (req, res) => {
      if (!isManifest(req)) return false;
      await forward(req, res, registry.host, { headers: { 'docker-content-digest': `sha256:${'1'.repeat(64)}` } });
      return true;
    };
    const e = await errorOf(openRegistryImage(ref(), { clientOptions: fast }));
    expect(e.code).toBe('digest-mismatch');
    expect(e.message).toContain(`registry says its digest is sha256:${'1'.repeat(64)}`);
  });

  it('detects tampered bytes when pulling by digest', async () => {
    rule = async (req, res) => {
      if (!isManifest(req)) return false;
      await forward(req, res, registry.host, { body: (b) => Buffer.from(b.toString().replace('"schemaVersion":2', '"schemaVersion": 2')) });
      return true;
    };
    const e = await errorOf(openRegistryImage(`${proxy.host}/test/debian@${layoutManifest().digest}`, { clientOptions: fast }));
    expect(e.code).toBe('digest-mismatch');
  });

  it('refuses a schema 1 manifest', async () => {
    rule = (req, res) => {
      if (!isManifest(req)) return false;
      const body = JSON.stringify({ schemaVersion: 1, name: 'test/debian', tag: '12', fsLayers: [], history: [], signatures: [] });
      res.writeHead(200, { 'content-type': MediaTypes.dockerSchema1Signed, 'content-length': String(body.length) }).end(body);
      return true;
    };
    const e = await errorOf(openRegistryImage(ref(), { clientOptions: fast }));
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain('schema 1');
  });

  it('refuses an oversized manifest before reading it all', async () => {
    rule = (req, res) => {
      if (!isManifest(req)) return false;
      res.writeHead(200, { 'content-type': MediaTypes.ociManifest, 'content-length': String(5 * 1024 * 1024) });
      res.write(Buffer.alloc(1024, 0x20));
      return true;
    };
    const e = await errorOf(openRegistryImage(ref(), { clientOptions: fast }));
    expect(e.code).toBe('limit');
    expect(e.message).toContain('more than the 4 MiB limit');
  });
});
