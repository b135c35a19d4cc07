/**
 * A warm cache never trusts the digests an image claims (issue 18 §1). The
 * fake: a small image whose config names the Debian test image's diffIDs
 * (and history lines) but whose layers hold a few text files. Cold, each
 * source rejects it on a digest; warm (the real image scanned into the same
 * cache as docker-archive, OCI layout and from the registry), it must fail
 * the same way instead of reporting the real image's packages for layers it
 * never read. The docker-archive fake collides with the real archive's cache
 * keys (an uncompressed layer's blob digest is its diffID), so its warm run
 * is the one that would hit: it must hash its layer files and refuse them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import { type JsonReport, layerRows } from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';
import { type BuiltLayer, gzipLayer, packTar, plainLayer, writeDockerArchive, writeOciLayout } from '../support/oci-build.js';
import { type CliTestRegistry, startCliRegistry } from '../support/registry.js';

let work: string;
let registry: CliTestRegistry;
const real = () => layerRows();
const fakes: Record<'docker-archive' | 'oci-layout' | 'registry', { args: string[]; layers: string[] }> = {
  'docker-archive': { args: [], layers: [] },
  'oci-layout': { args: [], layers: [] },
  registry: { args: [], layers: [] },
};

/** Layer i of the fake: a few text files, claiming to be the real image's layer i. */
async function fakeTars(): Promise<Buffer[]> {
  return Promise.all(
    real().map((_, i) =>
      packTar([
        { name: 'etc/', type: 'directory' },
        { name: `etc/fake-${i}.txt`, content: `not the layer this image claims (${i})\n` },
        { name: 'README', content: 'a few text files\n' },
      ]),
    ),
  );
}

const claiming = (blob: (tar: Buffer, extra: Partial<BuiltLayer>) => BuiltLayer, tars: Buffer[]): BuiltLayer[] =>
  tars.map((tar, i) => blob(tar, { diffId: real()[i]?.diffId, createdBy: real()[i]?.createdBy }));

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-trust-'));
  const tars = await fakeTars();
  const archive = path.join(work, 'fake.tar');
  const plain = claiming(plainLayer, tars);
  await writeDockerArchive(archive, plain);
  fakes['docker-archive'] = { args: ['--input', archive], layers: plain.map((l) => l.diffId) };
  const gz = claiming(gzipLayer, tars);
  const layout = writeOciLayout(path.join(work, 'fake-oci'), gz, { tag: '12' });
  fakes['oci-layout'] = { args: ['--input', `${layout.dir}:12`], layers: layout.layerDigests };
  registry = await startCliRegistry({ push: [debianImage().ociLayout] });
  await registry.push(layout.dir, '12', 'test/fake', '12');
  fakes.registry = { args: [`${registry.host}/test/fake:12`], layers: layout.layerDigests };
});

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const kinds = Object.keys(fakes) as Array<keyof typeof fakes>;

/** Exit 2 with one error line naming a layer of the fake and a digest mismatch. */
function expectRefused(run: Awaited<ReturnType<typeof runStrata>>, kind: keyof typeof fakes): void {
  const line = expectCleanError(run, { matches: /digest mismatch|diffID mismatch/ });
  expect(fakes[kind].layers.some((d) => line.includes(d)), line).toBe(true);
  expect(run.stdout).not.toMatch(/libc6/);
}

describe('an image claiming another image’s layers', () => {
  it.each(kinds)('cold: the %s fake fails on a digest', async (kind) => {
    const cache = path.join(work, `cold-${kind}`);
    expectRefused(await runStrata(['image', ...fakes[kind].args, ...noDb(work), '--cache-dir', cache]), kind);
  });

  describe('warm: after the real image was scanned into the same cache', () => {
    const cache = () => path.join(work, 'warm');
    let packages = 0;

    beforeAll(async () => {
      const image = debianImage();
      for (const args of [['--input', image.dockerArchive], ['--input', `${image.ociLayout}:12`], [`${registry.host}/test/debian:12`]]) {
        const report = okJson<JsonReport>(await runStrata(['image', ...args, ...noDb(work), '--cache-dir', cache()]));
        packages = report.packages.length;
      }
    }, 300_000);

    it('the real image is a cache hit', async () => {
      expect(packages).toBeGreaterThan(100);
      const run = await runStrata(['image', '--input', debianImage().dockerArchive, ...noDb(work), '--cache-dir', cache(), '--debug']);
      expect(okJson<JsonReport>(run).packages).toHaveLength(packages);
      expect(run.stderr).toMatch(/inventory from cache/);
    });

    it.each(kinds)('the %s fake still fails on a digest', async (kind) => {
      expectRefused(await runStrata(['image', ...fakes[kind].args, ...noDb(work), '--cache-dir', cache()]), kind);
    });
  });
});
