/**
 * Bad input to `strata image`, as a user meets it: every case must end in
 * one clear `strata: error:` line naming the image (and the layer digest and
 * the path inside the layer where there is one), exit code 2, no stack
 * trace, no hang, and nothing left in TMPDIR. The malicious layers are built
 * here (tar-stream + gzip/zstd) and wrapped in OCI layouts or docker-archives
 * with correct or deliberately wrong digests; the registry cases run against
 * Debian's docker-registry with htpasswd auth on loopback.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../image/helpers.js';
import { expectCleanError, noDb, runStrata } from '../support/cli.js';
import {
  type BuiltLayer,
  gzipLayer,
  packTar,
  plainLayer,
  sha256,
  type TarEntry,
  writeDockerArchive,
  writeOciLayout,
  zstdLayer,
} from '../support/oci-build.js';

const PASSWORD = 'Sup3r-S3cret-pw';
let work: string;
let registry: TestRegistry;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-bad-'));
  registry = await startRegistry({ auth: `scanner:${PASSWORD}` });
});

afterAll(async () => {
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

let counter = 0;
function dirFor(name: string): string {
  return path.join(work, `${++counter}-${name}`);
}

/** A harmless first layer, so the bad layer is not the only one. */
async function baseLayer(): Promise<BuiltLayer> {
  return gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/hostname', content: 'base\n' }]));
}

async function scanLayout(dir: string, timeoutMs = 60_000) {
  return runStrata(['image', '--input', dir, ...noDb(work), '--no-cache'], { timeoutMs });
}

/** Builds a two-layer layout whose top layer is `bad` and scans it; returns the run and the bad layer's digest. */
async function scanWithTopLayer(name: string, bad: BuiltLayer) {
  const dir = dirFor(name);
  const built = writeOciLayout(dir, [await baseLayer(), bad]);
  return { run: await scanLayout(dir), dir, layer: built.layerDigests[1] as string };
}

async function tarLayer(entries: TarEntry[]): Promise<BuiltLayer> {
  return gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }, ...entries]));
}

describe('registry', () => {
  it('an unknown tag and an unknown repository: not found, naming the image and the registry', async () => {
    for (const ref of [`${registry.host}/test/debian:no-such-tag`, `${registry.host}/test/no-such-repo:1`]) {
      const run = await runStrata(['image', ref, ...noDb(work), '--username', 'scanner', '--password', PASSWORD]);
      const line = expectCleanError(run, { mentions: [ref, `registry ${registry.host}`], matches: /not found/i, secret: PASSWORD });
      expect(line).toMatch(/404|MANIFEST_UNKNOWN|NAME_UNKNOWN/);
    }
  });

  it('wrong or missing credentials: 401, naming the registry and the credential source tried, never the password', async () => {
    const wrong = 'Wr0ng-pa55word';
    const ref = `${registry.host}/test/debian:12`;
    const cases: Array<{ args: string[]; env?: Record<string, string>; source: string }> = [
      { args: [], source: 'anonymous' },
      { args: ['--username', 'scanner', '--password', wrong], source: '--username/--password' },
      { args: [], env: { STRATA_USERNAME: 'scanner', STRATA_PASSWORD: wrong }, source: 'STRATA_USERNAME/STRATA_PASSWORD' },
    ];
    const dockerConfig = path.join(work, 'docker-config');
    mkdirSync(dockerConfig, { recursive: true });
    writeFileSync(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`scanner:${wrong}`).toString('base64') } } }),
    );
    cases.push({ args: [], env: { DOCKER_CONFIG: dockerConfig }, source: path.join(dockerConfig, 'config.json') });
    for (const c of cases) {
      const run = await runStrata(['image', ref, ...noDb(work), ...c.args], { env: c.env ?? {} });
      expectCleanError(run, { mentions: [ref, `registry ${registry.host}`, c.source], matches: /401|unauthori[sz]ed|denied/i, secret: wrong });
      expect(run.stderr).not.toContain(Buffer.from(`scanner:${wrong}`).toString('base64'));
    }
  });

  it('the right credentials work (the failures above are about the credentials, not the setup)', async () => {
    const cache = ['--cache-dir', path.join(work, 'auth-cache')];
    const run = await runStrata(['image', `${registry.host}/test/debian:12`, ...noDb(work), '--username', 'scanner', '--password', PASSWORD, ...cache]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(PASSWORD);
    expect(run.stderr).not.toContain(PASSWORD);
    // strata sbom takes the same credentials (flags or environment).
    const sbom = await runStrata(['sbom', `${registry.host}/test/debian:12`, '--username', 'scanner', '--password', PASSWORD, ...cache]);
    expect(sbom.code, sbom.stderr).toBe(0);
    expect(JSON.parse(sbom.stdout)).toMatchObject({ bomFormat: 'CycloneDX' });
    const fromEnv = await runStrata(['sbom', `${registry.host}/test/debian:12`, ...cache], { env: { STRATA_USERNAME: 'scanner', STRATA_PASSWORD: PASSWORD } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    const wrong = await runStrata(['sbom', `${registry.host}/test/debian:12`, '--username', 'scanner', '--password', 'nope-nope', ...cache]);
    expectCleanError(wrong, { mentions: [`registry ${registry.host}`, '--username/--password'], secret: 'nope-nope' });
  });
});

describe('local inputs', () => {
  it('a path that does not exist', async () => {
    const missing = path.join(work, 'no-such-image.tar');
    expectCleanError(await scanLayout(missing), { mentions: [missing] });
  });

  /** A two-layer layout whose top layer blob is then changed on disk by `damage` (same digest in the manifest). */
  async function tamperedLayout(name: string, damage: (blob: Buffer) => void) {
    const dir = dirFor(name);
    const built = writeOciLayout(dir, [await baseLayer(), await tarLayer([{ name: 'etc/motd', content: randomBytes(4096) }])]);
    const layer = built.layerDigests[1] as string;
    const file = path.join(dir, 'blobs', 'sha256', layer.slice(7));
    const bytes = readFileSync(file);
    damage(bytes);
    writeFileSync(file, bytes);
    return { dir, layer };
  }

  it('a layer blob whose bytes do not match its digest (gzip header changed, data still inflates)', async () => {
    // Byte 4-7 of a gzip member is MTIME, which gunzip ignores: only the digest check can notice.
    const { dir, layer } = await tamperedLayout('tampered-mtime', (b) => {
      b[4] = (b[4] ?? 0) ^ 0xff;
    });
    expectCleanError(await scanLayout(dir), { mentions: [dir, layer], matches: /digest|mismatch/i });
  });

  it('a layer blob damaged in the middle is reported as not matching its digest', async () => {
    // The bytes are not what the manifest's digest promises: that is the cause, whatever the decompressor says first.
    const { dir, layer } = await tamperedLayout('tampered-data', (b) => {
      const i = Math.floor(b.length / 2);
      b[i] = (b[i] ?? 0) ^ 0xff;
    });
    expectCleanError(await scanLayout(dir), { mentions: [dir, layer], matches: /digest|mismatch/i });
  });

  it('a layer whose uncompressed tar does not match the config diffID', async () => {
    const good = await tarLayer([{ name: 'etc/motd', content: 'hello\n' }]);
    const wrongDiffId = sha256('something else');
    const { run, dir, layer } = await scanWithTopLayer('diffid', { ...good, diffId: wrongDiffId });
    expectCleanError(run, { mentions: [dir, layer, wrongDiffId], matches: /mismatch/i });
  });

  it('a truncated layer blob (shorter than the manifest says)', async () => {
    const dir = dirFor('truncated');
    const built = writeOciLayout(dir, [await baseLayer(), await tarLayer([{ name: 'etc/big', content: randomBytes(64 * 1024) }])]);
    const layer = built.layerDigests[1] as string;
    const file = path.join(dir, 'blobs', 'sha256', layer.slice(7));
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    expectCleanError(await scanLayout(dir), { mentions: [dir, layer], matches: /truncated|size|bytes/i });
  });

  it('a schema-1 manifest', async () => {
    const dir = dirFor('schema1');
    writeOciLayout(dir, [await baseLayer()], {
      manifest: {
        schemaVersion: 1,
        mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
        name: 'test/old',
        tag: '1',
        architecture: 'amd64',
        fsLayers: [{ blobSum: sha256('x') }],
        history: [{ v1Compatibility: '{}' }],
      },
    });
    expectCleanError(await scanLayout(dir), { mentions: [dir], matches: /schema.?1|schemaVersion|unsupported/i });
  });

  it('corrupt gzip data (valid digest, damaged deflate stream)', async () => {
    // Compressible text, so the deflate stream is Huffman-coded and the damage breaks its structure (not just the CRC).
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i} of a text file\n`).join('');
    const tar = await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/data', content: text }]);
    const blob = gzipSync(tar);
    for (let i = 100; i < blob.length - 20; i += 50) blob[i] = (blob[i] ?? 0) ^ 0x5a;
    const { run, dir, layer } = await scanWithTopLayer('bad-gzip', { ...plainLayer(tar), blob, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' });
    expectCleanError(run, { mentions: [dir, layer], matches: /gzip/i });
  });

  it('corrupt zstd data (zstd magic, garbage frame)', async () => {
    const tar = await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/data', content: randomBytes(32 * 1024) }]);
    const good = zstdLayer(tar);
    const blob = Buffer.concat([good.blob.subarray(0, 4), randomBytes(good.blob.length - 4)]);
    const { run, dir, layer } = await scanWithTopLayer('bad-zstd', { ...good, blob });
    expectCleanError(run, { mentions: [dir, layer], matches: /zstd/i });
  });

  it('a corrupt tar (gzip of bytes that are no tar)', async () => {
    const junk = randomBytes(4096);
    const { run, dir, layer } = await scanWithTopLayer('bad-tar', gzipLayer(junk));
    expectCleanError(run, { mentions: [dir, layer], matches: /tar|header|checksum|corrupt/i });
  });

  it('a tar entry that climbs out with ../', async () => {
    const { run, dir, layer } = await scanWithTopLayer('dotdot', await tarLayer([{ name: 'etc/../../escape.txt', content: 'x' }]));
    expectCleanError(run, { mentions: [dir, layer, 'escape.txt'], matches: /\.\./ });
  });

  it('a tar entry with an absolute path', async () => {
    const { run, dir, layer } = await scanWithTopLayer('absolute', await tarLayer([{ name: '/etc/evil', content: 'x' }]));
    expectCleanError(run, { mentions: [dir, layer, '/etc/evil'], matches: /absolute/i });
  });

  it('a symlink loop that a later layer writes through', async () => {
    const dir = dirFor('symlink-loop');
    const loop = await tarLayer([
      { name: 'etc/a', type: 'symlink', linkname: 'b' },
      { name: 'etc/b', type: 'symlink', linkname: 'a/c' },
    ]);
    const through = await tarLayer([{ name: 'etc/a/x/package.json', content: '{"name":"through-loop","version":"1.0.0"}' }]);
    const built = writeOciLayout(dir, [loop, through]);
    expectCleanError(await scanLayout(dir), { mentions: [dir, built.layerDigests[1] as string, 'etc/a/x/package.json'], matches: /symlink loop/i });
  });

  it('a symlink loop nothing goes through is harmless', async () => {
    const dir = dirFor('idle-loop');
    writeOciLayout(dir, [
      await baseLayer(),
      await tarLayer([
        { name: 'etc/a', type: 'symlink', linkname: 'b' },
        { name: 'etc/b', type: 'symlink', linkname: 'a' },
      ]),
    ]);
    const run = await scanLayout(dir);
    expect(run.code, run.stderr).toBe(0);
  });

  it('a hard link to a file outside the layer', async () => {
    for (const target of ['etc/shadow', '../../../../etc/shadow']) {
      const { run, dir, layer } = await scanWithTopLayer('hardlink', await tarLayer([{ name: 'etc/stolen', type: 'link', linkname: target }]));
      expectCleanError(run, { mentions: [dir, layer, 'etc/stolen'], matches: /hard link|link/i });
    }
  });

  it('a device file is a valid layer entry (OCI layer.md): the image scans (test/cli/special-entries.test.ts)', async () => {
    const { run } = await scanWithTopLayer(
      'device',
      await tarLayer([{ name: 'etc/disk', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 }]),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.leftInTmp).toEqual([]);
  });

  it('a decompression bomb (4 GiB of zeros in 4 MB of gzip) stops fast with a limit error', async () => {
    const bomb = await gzipBomb(4 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(8 * 1024 * 1024);
    const dir = dirFor('bomb');
    // The diffID cannot be known without reading 4 GiB; the bomb must be stopped before it matters.
    const built = writeOciLayout(dir, [await baseLayer(), { blob: bomb, diffId: sha256('unknown'), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }]);
    const layer = built.layerDigests[1] as string;
    const run = await scanLayout(dir, 45_000);
    expectCleanError(run, { mentions: [dir, layer], matches: /limit|bomb|expands/i });
  });

  it('too many layers', async () => {
    const dir = dirFor('many-layers');
    const one = await baseLayer();
    writeOciLayout(dir, Array.from({ length: 1500 }, () => one));
    expectCleanError(await scanLayout(dir), { mentions: [dir], matches: /layers/i });
  });

  it('a docker-archive with a traversal entry names the archive, the layer and the path', async () => {
    const file = path.join(work, 'traversal-archive.tar');
    const bad = plainLayer(await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/../../../tmp/pwned', content: 'x' }]));
    await writeDockerArchive(file, [plainLayer(await packTar([{ name: 'etc/hostname', content: 'x\n' }])), bad]);
    const run = await runStrata(['image', '--input', file, ...noDb(work), '--no-cache']);
    expectCleanError(run, { mentions: [file, bad.diffId, 'pwned'], matches: /\.\./ });
  });
});

/**
 * A gzip file holding a tar with one `size`-byte file of zeros: the tar
 * header as one gzip member, then 64 MiB zero members repeated (RFC 1952
 * allows concatenated members; `gzip -d` reads them as one stream). Building
 * it this way takes ~0.2 s instead of compressing GiBs.
 */
async function gzipBomb(size: number): Promise<Buffer> {
  const chunk = 64 * 1024 * 1024;
  const header = await new Promise<Buffer>((resolve, reject) => {
    const pack = tarStream.pack();
    const parts: Buffer[] = [];
    pack.on('data', (c: unknown) => {
      parts.push(c as Buffer);
      const all = Buffer.concat(parts);
      if (all.length >= 512) resolve(all.subarray(0, 512));
    });
    pack.on('error', reject);
    pack.entry({ name: 'zeros', size, mode: 0o644, mtime: new Date(0) });
  });
  const zeros = gzipSync(Buffer.alloc(chunk));
  return Buffer.concat([gzipSync(header), ...Array.from({ length: Math.ceil(size / chunk) }, () => zeros)]);
}
