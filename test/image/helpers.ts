/**
 * Shared pieces of the acquire-stage end-to-end tests: Debian's real
 * docker-registry started on a free loopback port (serve-registry.sh), the
 * oracle files of the built test image, and small loopback HTTP servers
 * (fault-injecting proxy, token service) written with node:http.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { debianImage } from '../support/images.js';
import { sharedData } from '../support/paths.js';

const run = promisify(execFile);

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestRegistry {
  port: number;
  /** `127.0.0.1:PORT` */
  host: string;
  stop(): Promise<void>;
}

/** Starts docker-registry with the test image pushed as test/debian:12 (and optional basic auth). */
export async function startRegistry(options: { auth?: string } = {}): Promise<TestRegistry> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strata-registry-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [sharedData('images', 'serve-registry.sh'), String(port), dataDir, '--push', debianImage().ociLayout];
    if (options.auth) args.push('--auth', options.auth);
    try {
      await run('bash', args, { timeout: 120_000 });
      return {
        port,
        host: `127.0.0.1:${port}`,
        async stop() {
          await run('bash', [sharedData('images', 'stop-registry.sh'), dataDir]).catch(() => undefined);
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      lastError = e;
      await run('bash', [sharedData('images', 'stop-registry.sh'), dataDir]).catch(() => undefined);
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  throw lastError;
}

export interface ExpectedLayer {
  diffId: string;
  digest: string;
  size: number;
  createdBy: string;
}

/** rootfs-expected/layers.tsv of the built image. */
export function expectedLayers(): ExpectedLayer[] {
  const lines = readFileSync(path.join(debianImage().expected, 'layers.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [, diffId, digest, size, createdBy] = line.split('\t') as [string, string, string, string, string];
    return { diffId, digest, size: Number(size), createdBy };
  });
}

/** The manifest descriptor of the built OCI layout's index.json. */
export function layoutManifest(dir = debianImage().ociLayout): { digest: string; size: number } {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; size: number }> };
  return index.manifests[0] as { digest: string; size: number };
}

export function readBlob(digest: string, dir = debianImage().ociLayout): Buffer {
  return readFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
}

export async function sha256Of(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, bytes };
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface TestServer {
  port: number;
  host: string;
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records requests and hands them to `handle`. */
export async function startServer(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>,
  host = '127.0.0.1',
): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: { ...req.headers }, at: Date.now() });
    Promise.resolve(handle(req, res)).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    host: `${host}:${port}`,
    url: `http://${host}:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ForwardOptions {
  /** Send the response headers and this many body bytes, then cut the connection. */
  truncateAfter?: number;
  /** Send this many body bytes, then stop sending without closing. */
  stallAfter?: number;
  /** Drop the Range request header (a registry without Range support). */
  stripRange?: boolean;
  /** Replace response headers. */
  headers?: Record<string, string>;
  /** Replace the body (Content-Length is fixed up). */
  body?: (original: Buffer) => Buffer;
}

/** Forwards one request to `target` (host:port), optionally damaging the answer. */
export function forward(req: http.IncomingMessage, res: http.ServerResponse, target: string, options: ForwardOptions = {}): Promise<void> {
  const [hostname, port] = target.split(':') as [string, string];
  // The Host header stays the client's, as behind a reverse proxy: the registry's absolute URLs (upload Locations) point back here.
  const headers = { ...req.headers };
  if (options.stripRange) delete headers.range;
  return new Promise((resolve, reject) => {
    const upstream = http.request({ hostname, port: Number(port), method: req.method, path: req.url, headers }, (up) => {
      const outHeaders: http.OutgoingHttpHeaders = { ...up.headers, ...options.headers };
      if (options.body) {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          const body = options.body?.(Buffer.concat(parts)) ?? Buffer.alloc(0);
          outHeaders['content-length'] = String(body.length);
          res.writeHead(up.statusCode ?? 502, outHeaders);
          res.end(body);
          resolve();
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, outHeaders);
      const limit = options.truncateAfter ?? options.stallAfter;
      if (limit === undefined) {
        up.pipe(res);
        up.on('end', resolve);
        return;
      }
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= limit) return;
        const part = chunk.subarray(0, limit - sent);
        sent += part.length;
        res.write(part);
        if (sent >= limit) {
          if (options.truncateAfter !== undefined) {
            up.destroy();
            res.socket?.destroy();
          } else {
            up.pause();
          }
          resolve();
        }
      });
      up.on('end', () => {
        res.end();
        resolve();
      });
    });
    upstream.on('error', reject);
    req.pipe(upstream);
  });
}
