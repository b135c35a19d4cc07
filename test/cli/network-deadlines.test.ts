/**
 * Issue 18 §5: hangs and slow failures against a registry. Every image has
 * an overall deadline (`--timeout`, default 5 min) that the error names; a
 * transfer that stops delivering bytes is detected after `--stall-timeout`
 * (default 30 s) and retried, and each retry is said on stderr without a
 * terminal. The registries here are loopback servers built in the test: one
 * that accepts connections and never answers, one whose layer blob stalls
 * after 1 MiB.
 */
import { buildTrackerDb } from '../support/tracker-db.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, noDb, runStrata } from '../support/cli.js';
import { packTar } from '../support/oci-build.js';

let work: string;
const servers: Array<{ close(): unknown }> = [];
const sockets = new Set<net.Socket>();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-deadline-'));
});

afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function listen(server: net.Server): Promise<string> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as net.AddressInfo).port}`)));
}

const digest = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A registry serving one image whose 4 MiB layer blob sends 1 MiB, then nothing (the connection stays open); each resume (Range) gets 64 KiB more. */
async function stallingRegistry(): Promise<{ host: string; layer: string; requests: () => number }> {
  const layerBlob = await packTar([{ name: 'big.bin', content: Buffer.alloc(4 * 1024 * 1024, 1) }]);
  const layer = digest(layerBlob);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: layerBlob.length }],
    }),
  );
  let blobRequests = 0;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return res.writeHead(200).end('{}');
    if (url.includes('/manifests/')) {
      return res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest(manifest) }).end(manifest);
    }
    if (url.endsWith(digest(config))) return res.writeHead(200, { 'content-length': config.length }).end(config);
    if (url.endsWith(layer)) {
      blobRequests++;
      const from = Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
      if (from === 0) res.writeHead(200, { 'content-length': layerBlob.length });
      else res.writeHead(206, { 'content-length': layerBlob.length - from, 'content-range': `bytes ${from}-${layerBlob.length - 1}/${layerBlob.length}` });
      // 1 MiB, then 64 KiB per resume, and never more.
      res.write(layerBlob.subarray(from, from + (from === 0 ? 1024 * 1024 : 64 * 1024)));
      return;
    }
    res.writeHead(404).end();
  });
  return { host: await listen(server), layer, requests: () => blobRequests };
}

describe('a registry that accepts connections and never answers', () => {
  it('fails at the --timeout deadline, naming the image and the flag', async () => {
    const host = await listen(net.createServer(() => undefined));
    const ref = `${host}/test/silent:1`;
    const run = await runStrata(['image', ref, ...noDb(work), '--timeout', '4s'], { timeoutMs: 30_000 });
    const line = expectCleanError(run, { mentions: [`image ${ref}`, '--timeout'], matches: /did not finish within 4 s/ });
    expect(line).not.toMatch(/internal error/);
    expect(run.ms).toBeLessThan(10_000);
  });

  it('strata sbom and strata explain have the same deadline', async () => {
    const host = await listen(net.createServer(() => undefined));
    const ref = `${host}/test/silent:1`;
    const db = await buildTrackerDb(work);
    for (const args of [
      ['sbom', ref, '--timeout', '3s'],
      ['explain', 'CVE-2099-1001', ref, '--db', db, '--offline', '--timeout', '3s'],
    ]) {
      const run = await runStrata(args, { timeoutMs: 30_000 });
      expectCleanError(run, { mentions: [`image ${ref}`, '--timeout'], matches: /did not finish within 3 s/ });
      expect(run.ms).toBeLessThan(10_000);
    }
  });
});

describe('a layer blob that stalls after 1 MiB', () => {
  it('is detected after --stall-timeout, each retry said on stderr, and fails well before the old 305 s', async () => {
    const reg = await stallingRegistry();
    const ref = `${reg.host}/test/stall:1`;
    const run = await runStrata(['image', ref, ...noDb(work), '--stall-timeout', '1s', '--platform', 'linux/amd64'], { timeoutMs: 60_000 });
    const line = expectCleanError(run, { mentions: [`image ${ref}`, reg.layer] });
    expect(line).toMatch(/no data for 1 s|stalled/);
    // Without a terminal: a line per retry on stderr (not only under --debug).
    const retries = run.stderr.split('\n').filter((l) => /^warning: .*(retrying in|resuming in)/.test(l));
    expect(retries.length, run.stderr).toBeGreaterThanOrEqual(2);
    expect(reg.requests()).toBeGreaterThanOrEqual(2);
    expect(run.ms).toBeLessThan(45_000);
  });

  it('the overall --timeout wins when it is shorter than the retries', async () => {
    const reg = await stallingRegistry();
    const ref = `${reg.host}/test/stall:1`;
    const run = await runStrata(['image', ref, ...noDb(work), '--stall-timeout', '1s', '--timeout', '3s', '--platform', 'linux/amd64'], { timeoutMs: 30_000 });
    expectCleanError(run, { mentions: [`image ${ref}`, '--timeout'], matches: /did not finish within 3 s/ });
    expect(run.ms).toBeLessThan(10_000);
  });
});
