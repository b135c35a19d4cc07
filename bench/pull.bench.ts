/**
 * Pull from a loopback registry: every blob of the Debian test image (config
 * and layers, ~100 MB gzip) through Strata's registry client, hashed and
 * discarded, beside `skopeo copy docker://… dir:…` of the same image from the
 * same docker-registry in the same run. Both fetch layers concurrently;
 * skopeo also writes them to disk and verifies digests, Strata hashes
 * (src/layer/ verifies while decompressing in a real scan).
 * Goal: <= 1.3 x skopeo.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openRegistryImage } from '../src/image/registry/image.js';
import setupTestImages from '../test/support/global-setup.js';
import { debianImage } from '../test/support/images.js';
import { sharedData } from '../test/support/paths.js';
import { bestOf, figure, type BenchModule } from './harness.js';

const run = promisify(execFile);
const RUNS = 5;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function pullWithStrata(ref: string): Promise<number> {
  const image = await openRegistryImage(ref);
  const sizes = await Promise.all(
    image.layers.map(async (layer) => {
      const h = createHash('sha256');
      let n = 0;
      for await (const chunk of await layer.open()) {
        h.update(chunk as Buffer);
        n += (chunk as Buffer).length;
      }
      if (`sha256:${h.digest('hex')}` !== layer.digest) throw new Error(`digest mismatch on ${layer.digest}`);
      return n;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

const bench: BenchModule = async (ctx) => {
  setupTestImages();
  const oci = debianImage().ociLayout;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-registry-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-pull-'));
  const port = await freePort();
  try {
    await run('bash', [sharedData('images', 'serve-registry.sh'), String(port), dataDir, '--push', oci]);
    const ref = `127.0.0.1:${port}/test/debian:12`;
    let bytes = 0;
    const strata = await bestOf(RUNS, async () => {
      bytes = await pullWithStrata(ref);
    });
    let copies = 0;
    const skopeo = await bestOf(RUNS, async () => {
      const dest = path.join(work, `copy-${copies++}`);
      await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dest}`]);
      rmSync(dest, { recursive: true, force: true });
    });
    ctx.log(`${(bytes / 1e6).toFixed(1)} MB of layers: strata ${strata.toFixed(3)} s, skopeo copy ${skopeo.toFixed(3)} s (best of ${RUNS})`);
    return [figure('pull from loopback registry (debian test image)', strata, 's', skopeo, '<= 1.3 x skopeo copy', strata <= 1.3 * skopeo)];
  } finally {
    await run('bash', [sharedData('images', 'stop-registry.sh'), dataDir]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
};

export default bench;
