/**
 * Local image inputs on the real built test image: the OCI layout (gzip and
 * zstd), skopeo's docker-archive (uncompressed layers, legacy layer.tar
 * symlinks), an OCI archive (a tar of the layout), plus archives and layouts
 * assembled here for what the build does not produce: several images in one
 * archive, a gzip'd docker save, a multi-platform layout, damaged inputs.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../src/core/errors.js';
import type { Image } from '../../src/core/image.js';
import { openDockerArchive } from '../../src/image/docker-archive.js';
import { MediaTypes } from '../../src/image/manifest.js';
import { openOciLayout } from '../../src/image/oci-layout.js';
import { openImage } from '../../src/image/open.js';
import { openRootfs } from '../../src/image/rootfs.js';
import { debianImage } from '../support/images.js';
import { expectedLayers, layoutManifest, readBlob, sha256, sha256Of } from './helpers.js';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-local-test-'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function errorOf(p: Promise<unknown>): Promise<StrataError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StrataError);
  return e as StrataError;
}

async function hashLayers(image: Image): Promise<void> {
  for (const layer of image.layers) {
    const { digest, bytes } = await sha256Of(await layer.open());
    expect(digest).toBe(layer.digest);
    expect(bytes).toBe(layer.size);
  }
}

interface SkopeoInspect {
  Digest: string;
  Layers: string[];
  Architecture: string;
  Os: string;
}

const inspect = () => JSON.parse(readFileSync(path.join(debianImage().expected, 'skopeo-inspect.json'), 'utf8')) as SkopeoInspect;
const archiveManifest = () =>
  (JSON.parse(readFileSync(path.join(debianImage().expected, 'docker-archive-manifest.json'), 'utf8')) as Array<{ Config: string; RepoTags: string[] }>)[0] as {
    Config: string;
    RepoTags: string[];
  };
const configDigest = () => `sha256:${archiveManifest().Config.replace(/\.json$/, '')}`;

describe('OCI image layout', () => {
  it('reads the built layout: manifest digest from index.json, config, layers, createdBy', async () => {
    const image = await openImage(debianImage().ociLayout);
    expect(image.source).toBe('oci-layout');
    expect(image.digest).toBe(layoutManifest().digest);
    expect(image.digest).toBe(inspect().Digest);
    expect(image.configDigest).toBe(configDigest());
    expect(image.repoTags).toEqual(['12']);
    expect(image.platform).toEqual({ os: inspect().Os, architecture: inspect().Architecture });
    expect(image.layers.map((l) => ({ diffId: l.diffId, digest: l.digest, size: l.size, createdBy: l.createdBy }))).toEqual(expectedLayers());
    expect(image.layers.map((l) => l.digest)).toEqual(inspect().Layers);
    await hashLayers(image);
    await image.close();
  });

  it('chooses by ref name (DIR:NAME) and lists the names it has', async () => {
    const dir = debianImage().ociLayout;
    expect((await openImage(`${dir}:12`)).name).toBe(`${dir}:12`);
    const e = await errorOf(openImage(`${dir}:13`));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain(`${dir} has no image named "13"; it has: 12`);
  });

  it('reads the zstd layout: same diffIDs, zstd blobs', async () => {
    const dir = debianImage().ociZstdLayout;
    const image = await openOciLayout(dir);
    expect(image.digest).toBe(layoutManifest(dir).digest);
    expect(image.layers.map((l) => l.diffId)).toEqual(expectedLayers().map((l) => l.diffId));
    expect(image.layers.every((l) => l.mediaType === MediaTypes.ociLayerZstd)).toBe(true);
    await hashLayers(image);
  });

  it('chooses the platform from a nested multi-platform index, reading blobs in place', async () => {
    const src = debianImage().ociLayout;
    const dir = path.join(tmp, 'multi-layout');
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const blob of readdirSync(path.join(src, 'blobs', 'sha256'))) {
      symlinkSync(path.join(src, 'blobs', 'sha256', blob), path.join(dir, 'blobs', 'sha256', blob));
    }
    copyFileSync(path.join(src, 'oci-layout'), path.join(dir, 'oci-layout'));
    const real = layoutManifest();
    const manifest = JSON.parse(readBlob(real.digest).toString()) as { config: { digest: string; size: number } };
    const armConfig = Buffer.from(JSON.stringify({ ...JSON.parse(readBlob(manifest.config.digest).toString()), architecture: 'arm64', variant: 'v8' }));
    const armManifest = Buffer.from(JSON.stringify({ ...manifest, config: { ...manifest.config, digest: sha256(armConfig), size: armConfig.length } }));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaTypes.ociIndex,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: real.digest, size: real.size, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: MediaTypes.ociManifest, digest: sha256(armManifest), size: armManifest.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        ],
      }),
    );
    for (const blob of [armConfig, armManifest, index]) writeFileSync(path.join(dir, 'blobs', 'sha256', sha256(blob).slice(7)), blob);
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: MediaTypes.ociIndex, digest: sha256(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } }],
      }),
    );
    const arm = await openImage(`${dir}:multi`, { platform: 'linux/arm64' });
    expect(arm.digest).toBe(sha256(armManifest));
    expect(arm.config?.architecture).toBe('arm64');
    expect(arm.layers.map((l) => l.digest)).toEqual(expectedLayers().map((l) => l.digest));
    const amd = await openImage(dir, { platform: 'linux/amd64' });
    expect(amd.digest).toBe(real.digest);
    const e = await errorOf(openImage(dir, { platform: 'linux/ppc64le' }));
    expect(e.message).toContain('no manifest for platform linux/ppc64le in the image index; it has: linux/amd64, linux/arm64/v8');

    // top-level entries without platform fields: the platform comes from each config
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: MediaTypes.ociManifest, digest: real.digest, size: real.size },
          { mediaType: MediaTypes.ociManifest, digest: sha256(armManifest), size: armManifest.length },
        ],
      }),
    );
    expect((await openImage(dir, { platform: 'linux/arm64/v8' })).digest).toBe(sha256(armManifest));
  });

  it('names the image and the layer when blobs are damaged or missing', async () => {
    const src = debianImage().ociLayout;
    const dir = path.join(tmp, 'damaged-layout');
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const f of ['oci-layout', 'index.json']) copyFileSync(path.join(src, f), path.join(dir, f));
    const real = layoutManifest();
    const manifest = JSON.parse(readBlob(real.digest).toString()) as { config: { digest: string } };
    writeFileSync(path.join(dir, 'blobs', 'sha256', real.digest.slice(7)), readBlob(real.digest));
    writeFileSync(path.join(dir, 'blobs', 'sha256', manifest.config.digest.slice(7)), readBlob(manifest.config.digest));
    const missing = await errorOf(openOciLayout(dir));
    expect(missing.code).toBe('not-found');
    expect(missing.where.layer).toBe(expectedLayers()[0]?.digest);
    expect(missing.message).toContain(`image ${dir}, layer ${expectedLayers()[0]?.digest}: layer blob is missing`);

    writeFileSync(path.join(dir, 'blobs', 'sha256', manifest.config.digest.slice(7)), readBlob(manifest.config.digest).toString().replace('amd64', 'arm64'));
    const tampered = await errorOf(openOciLayout(dir));
    expect(tampered.code).toBe('digest-mismatch');
    expect(tampered.message).toContain(`config ${manifest.config.digest} digest mismatch`);
  });
});

describe('docker-archive', () => {
  it("reads skopeo's docker-archive: uncompressed layers through the layer.tar symlinks", async () => {
    const image = await openImage(debianImage().dockerArchive);
    expect(image.source).toBe('docker-archive');
    expect(image.configDigest).toBe(configDigest());
    expect(image.repoTags).toEqual(archiveManifest().RepoTags);
    expect(image.digest).toBeUndefined(); // a docker save carries no manifest
    const expected = expectedLayers();
    expect(image.layers.map((l) => l.diffId)).toEqual(expected.map((l) => l.diffId));
    expect(image.layers.map((l) => l.digest)).toEqual(expected.map((l) => l.diffId)); // uncompressed: blob = diff
    expect(image.layers.map((l) => l.createdBy)).toEqual(expected.map((l) => l.createdBy));
    expect(image.layers.every((l) => l.mediaType === MediaTypes.dockerLayerTar)).toBe(true);
    await hashLayers(image);
    await image.close();
  });

  it('chooses by RepoTag, normalised', async () => {
    const file = debianImage().dockerArchive;
    expect((await openImage(`${file}:test/debian:12`)).repoTags).toEqual(['docker.io/test/debian:12']);
    const e = await errorOf(openImage(`${file}:test/debian:13`));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('has no image tagged "test/debian:13"; it has: docker.io/test/debian:12');
  });

  /** A small docker save archive with two images (real format, tiny layers), optionally gzip'd. */
  function buildTwoImageArchive(name: string, options: { gzipLayer?: boolean; legacyPath?: boolean; craneNames?: boolean } = {}): string {
    const dir = path.join(tmp, `${name}-src`);
    mkdirSync(dir, { recursive: true });
    const images = ['one', 'two'].map((label) => {
      const content = path.join(dir, `content-${label}`);
      mkdirSync(path.join(content, 'etc'), { recursive: true });
      writeFileSync(path.join(content, 'etc', 'hostname'), `${label}\n`);
      const layerTar = path.join(dir, `layer-${label}.tar`);
      execFileSync('tar', ['-C', content, '--sort=name', '--mtime=2024-01-01', '--owner=0', '--group=0', '-cf', layerTar, 'etc']);
      const diffId = sha256(readFileSync(layerTar));
      let member = `${diffId.slice(7)}.tar`;
      if (options.gzipLayer) {
        execFileSync('gzip', ['-n', '-k', layerTar]);
        const blobHex = sha256(readFileSync(`${layerTar}.gz`)).slice(7);
        member = options.legacyPath ? `${label}-v1id/layer.tar` : options.craneNames ? `${blobHex}.tar.gz` : `blobs/sha256/${blobHex}`;
        mkdirSync(path.dirname(path.join(dir, member)), { recursive: true });
        copyFileSync(`${layerTar}.gz`, path.join(dir, member));
      } else {
        copyFileSync(layerTar, path.join(dir, member));
      }
      const config = Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          rootfs: { type: 'layers', diff_ids: [diffId] },
          history: [{ created_by: `COPY ${label}` }, { created_by: 'CMD ["sh"]', empty_layer: true }],
        }),
      );
      const configName = options.craneNames ? sha256(config) : `${sha256(config).slice(7)}.json`;
      writeFileSync(path.join(dir, configName), config);
      return { Config: configName, RepoTags: [`example.com/app:${label}`], Layers: [member] };
    });
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(images));
    const file = path.join(tmp, `${name}.tar`);
    execFileSync('tar', ['-C', dir, '-cf', file, ...readdirSync(dir).filter((f) => !f.startsWith('content-') && !f.startsWith('layer-'))]);
    return file;
  }

  it('asks which image when an archive holds several, and reads the chosen one', async () => {
    const file = buildTwoImageArchive('two-images');
    const e = await errorOf(openImage(file));
    expect(e.code).toBe('usage');
    expect(e.message).toContain(`${file} holds 2 images: example.com/app:one, example.com/app:two; choose one with ${file}:TAG (or :@N)`);
    const two = await openImage(`${file}:example.com/app:two`);
    expect(two.repoTags).toEqual(['example.com/app:two']);
    expect(two.layers[0]?.createdBy).toBe('COPY two');
    await hashLayers(two);
    expect((await openDockerArchive(file, { select: '@0' })).repoTags).toEqual(['example.com/app:one']);
  });

  it('reads a gzip-compressed docker save, and gzip layers under blobs/ (Docker 25+)', async () => {
    const file = buildTwoImageArchive('gz-layers', { gzipLayer: true });
    execFileSync('gzip', ['-k', file]);
    const image = await openImage(`${file}.gz:example.com/app:one`);
    expect(image.layers[0]?.mediaType).toBe(MediaTypes.dockerLayerGzip);
    expect(image.layers[0]?.digest).not.toBe(image.layers[0]?.diffId);
    await hashLayers(image);
    const temps = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith('strata-archive-')).length;
    const before = temps();
    await image.close();
    expect(temps()).toBeLessThan(before);
  });

  it('hashes a compressed layer whose name does not carry its digest', async () => {
    const file = buildTwoImageArchive('legacy-gz', { gzipLayer: true, legacyPath: true });
    const image = await openImage(`${file}:@1`);
    const layer = image.layers[0] as Image['layers'][number];
    expect(layer.mediaType).toBe(MediaTypes.dockerLayerGzip);
    expect(layer.digest).toBe(sha256(readFileSync(path.join(tmp, 'legacy-gz-src', 'two-v1id', 'layer.tar'))));
    await hashLayers(image);
  });

  it("reads crane's tarball naming (config sha256:<hex>, layers <hex>.tar.gz)", async () => {
    const file = buildTwoImageArchive('crane', { gzipLayer: true, craneNames: true });
    const image = await openImage(`${file}:example.com/app:one`);
    expect(image.configDigest).toMatch(/^sha256:/);
    await hashLayers(image);
  });

  it('rejects damaged archives with a clear error', async () => {
    const notTar = path.join(tmp, 'not-a-tar.tar');
    writeFileSync(notTar, 'hello '.repeat(1000));
    const e1 = await errorOf(openImage(notTar));
    expect(e1.code).toBe('corrupt');
    expect(e1.message).toContain(`image ${notTar}: not a tar archive`);

    const file = buildTwoImageArchive('truncated');
    const cut = path.join(tmp, 'cut.tar');
    writeFileSync(cut, readFileSync(file).subarray(0, 3000));
    expect((await errorOf(openImage(cut))).code).toBe('corrupt');

    const plain = path.join(tmp, 'plain.tar');
    execFileSync('tar', ['-C', tmp, '-cf', plain, 'not-a-tar.tar']);
    const e3 = await errorOf(openImage(plain));
    expect(e3.code).toBe('unsupported');
    expect(e3.message).toContain('neither a docker-archive (no manifest.json) nor an OCI archive (no oci-layout)');
  });
});

describe('OCI archive', () => {
  it('reads a tar of the layout without extracting it', async () => {
    const file = path.join(tmp, 'oci-archive.tar');
    execFileSync('tar', ['-C', debianImage().ociLayout, '-cf', file, '.']);
    const image = await openImage(file);
    expect(image.source).toBe('oci-archive');
    expect(image.digest).toBe(layoutManifest().digest);
    expect(image.layers.map((l) => l.digest)).toEqual(expectedLayers().map((l) => l.digest));
    await hashLayers(image);
    expect((await openImage(`${file}:12`)).repoTags).toEqual(['12']);
  });
});

describe('platform and cancellation', () => {
  it('refuses a single-platform image asked for with another --platform', async () => {
    for (const input of [debianImage().ociLayout, debianImage().dockerArchive]) {
      const e = await errorOf(openImage(input, { platform: 'linux/arm64' }));
      expect(e.code).toBe('not-found');
      expect(e.message).toContain('the image is linux/amd64, not the requested linux/arm64');
    }
    expect((await openImage(debianImage().ociLayout, { platform: 'linux/amd64' })).layers).toHaveLength(3);
  });

  it('stops a layer stream when its signal aborts', async () => {
    const image = await openImage(debianImage().dockerArchive);
    const ac = new AbortController();
    const stream = await (image.layers[0] as Image['layers'][number]).open({ signal: ac.signal });
    let read = 0;
    const consumed = (async () => {
      for await (const chunk of stream) {
        read += (chunk as Buffer).length;
        if (read > 1_000_000) ac.abort();
      }
    })();
    await expect(consumed).rejects.toThrow(/abort/i);
    expect(read).toBeLessThan(image.layers[0]?.size ?? 0);
  });
});

describe('openImage dispatch and rootfs', () => {
  it('tells a plain directory from an OCI layout', async () => {
    const e = await errorOf(openImage(tmp));
    expect(e.code).toBe('usage');
    expect(e.message).toContain('not an OCI image layout (no oci-layout file); for an unpacked root filesystem use `strata rootfs');
    const missing = await errorOf(openImage(path.join(tmp, 'nothing-here.tar')));
    expect(missing.code).toBe('not-found');
    const local = await errorOf(openImage('debian:12', { from: 'local' }));
    expect(local.message).toContain('no such file or directory: debian:12');
  });

  it('opens a root filesystem directory', async () => {
    const image = await openRootfs(tmp);
    expect(image).toMatchObject({ source: 'rootfs', rootDir: path.resolve(tmp), layers: [] });
    expect((await errorOf(openRootfs(path.join(tmp, 'nope')))).code).toBe('not-found');
    expect((await errorOf(openRootfs(debianImage().dockerArchive))).code).toBe('usage');
  });
});
