import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import {
  assertContainerImage,
  describeLayers,
  layerCreatedBy,
  MAX_MANIFEST_BYTES,
  MediaTypes,
  parseImageConfig,
  parseManifest,
  type ImageManifest,
} from './manifest.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

function errorOf(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    return e as StrataError;
  }
  throw new Error('expected an error');
}

// The shape umoci writes (no mediaType), as in the test image's OCI layout.
const umociManifest = {
  schemaVersion: 2,
  config: { mediaType: MediaTypes.ociConfig, digest: d('1'), size: 1387 },
  layers: [
    { mediaType: MediaTypes.ociLayerGzip, digest: d('2'), size: 77006599 },
    { mediaType: MediaTypes.ociLayerGzip, digest: d('3'), size: 25381113 },
  ],
  annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
};

const config = {
  architecture: 'amd64',
  os: 'linux',
  config: { Env: ['PATH=/usr/bin'], Labels: { a: 'b' }, Cmd: null },
  rootfs: { type: 'layers', diff_ids: [d('a'), d('b')] },
  history: [
    { created: '2024-01-01T00:00:00Z', created_by: 'mmdebstrap bookworm' },
    { created_by: 'ENV PATH=/usr/bin', empty_layer: true },
    { created_by: 'apt-get install umoci' },
    { created_by: 'CMD ["bash"]', empty_layer: true },
  ],
};

describe('parseManifest', () => {
  it('accepts a manifest without mediaType by its shape (umoci)', () => {
    const m = parseManifest(bytes(umociManifest), undefined);
    expect(m.kind).toBe('manifest');
    expect(m.mediaType).toBe(MediaTypes.ociManifest);
    const manifest = m as ImageManifest;
    expect(manifest.layers.map((l) => l.size)).toEqual([77006599, 25381113]);
    expect(manifest.annotations?.['org.opencontainers.image.created']).toBe('2024-01-01T00:00:00Z');
  });

  it('takes the type from Content-Type when the document has none', () => {
    const m = parseManifest(bytes(umociManifest), `${MediaTypes.dockerManifest}; charset=utf-8`);
    expect(m.mediaType).toBe(MediaTypes.dockerManifest);
  });

  it('reads Docker manifest lists and OCI indexes with platforms', () => {
    const list = parseManifest(
      bytes({
        schemaVersion: 2,
        mediaType: MediaTypes.dockerManifestList,
        manifests: [
          { mediaType: MediaTypes.dockerManifest, digest: d('4'), size: 528, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
          { mediaType: MediaTypes.dockerManifest, digest: d('5'), size: 528, platform: { architecture: 'amd64', os: 'linux' } },
        ],
      }),
      undefined,
    );
    expect(list.kind).toBe('index');
    if (list.kind === 'index') expect(list.manifests[0]?.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    const index = parseManifest(bytes({ schemaVersion: 2, manifests: [] }), undefined);
    expect(index).toMatchObject({ kind: 'index', mediaType: MediaTypes.ociIndex });
  });

  it('refuses schema 1 by media type, Content-Type or schemaVersion', () => {
    const v1 = { schemaVersion: 1, name: 'library/debian', tag: '12', fsLayers: [], history: [] };
    for (const [doc, type] of [
      [v1, undefined],
      [{ ...v1, mediaType: MediaTypes.dockerSchema1 }, undefined],
      [{ schemaVersion: 2 }, MediaTypes.dockerSchema1Signed],
    ] as const) {
      const e = errorOf(() => parseManifest(bytes(doc), type));
      expect(e.code).toBe('unsupported');
      expect(e.message).toContain('schema 1');
    }
  });

  it('says what is wrong with broken documents', () => {
    expect(errorOf(() => parseManifest(bytes('{"schemaVersion": 2, '), undefined)).code).toBe('corrupt');
    expect(errorOf(() => parseManifest(bytes('[1,2]'), undefined)).message).toContain('not a JSON object');
    const badDigest = { ...umociManifest, layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: 'sha256:xyz', size: 1 }] };
    expect(errorOf(() => parseManifest(bytes(badDigest), undefined)).message).toContain('manifest layer 0');
    const noSize = { ...umociManifest, config: { mediaType: MediaTypes.ociConfig, digest: d('1') } };
    expect(errorOf(() => parseManifest(bytes(noSize), undefined)).message).toContain('size');
    const wrongVersion = { ...umociManifest, mediaType: MediaTypes.ociManifest, schemaVersion: 3 };
    expect(errorOf(() => parseManifest(bytes(wrongVersion), undefined)).message).toContain('schemaVersion');
    expect(errorOf(() => parseManifest(bytes({ hello: 1 }), undefined)).code).toBe('unsupported');
    expect(errorOf(() => parseManifest(bytes({ schemaVersion: 2, mediaType: 'application/x-foo' }), undefined)).message).toContain('application/x-foo');
  });

  it('enforces the size and layer-count limits', () => {
    const huge = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
    expect(errorOf(() => parseManifest(huge, undefined)).code).toBe('limit');
    const many = { ...umociManifest, layers: Array.from({ length: 1001 }, () => ({ mediaType: MediaTypes.ociLayerGzip, digest: d('2'), size: 1 })) };
    const e = errorOf(() => parseManifest(bytes(many), undefined));
    expect(e.code).toBe('limit');
    expect(e.message).toContain('1001 layers');
  });

  it('names the image in errors', () => {
    const e = errorOf(() => parseManifest(bytes('nope'), undefined, { image: 'docker.io/library/x:1' }));
    expect(e.message).toMatch(/^image docker\.io\/library\/x:1: manifest: not valid JSON/);
  });
});

describe('assertContainerImage', () => {
  it('refuses artifacts with their config type', () => {
    const helm = parseManifest(
      bytes({ ...umociManifest, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: d('1'), size: 10 } }),
      undefined,
    );
    const e = errorOf(() => assertContainerImage(helm, {}));
    expect(e.code).toBe('unsupported');
    expect(e.message).toContain('application/vnd.cncf.helm.config.v1+json');
    const artifact = parseManifest(bytes({ mediaType: MediaTypes.ociArtifactManifest, artifactType: 'application/spdx+json', blobs: [] }), undefined);
    expect(errorOf(() => assertContainerImage(artifact, {})).message).toContain('application/spdx+json');
    const encrypted = parseManifest(
      bytes({ ...umociManifest, layers: [{ mediaType: `${MediaTypes.ociLayerGzip}+encrypted`, digest: d('2'), size: 1 }] }),
      undefined,
    );
    expect(errorOf(() => assertContainerImage(encrypted, {})).where.layer).toBe(d('2'));
  });

  it('accepts image manifests', () => {
    const m = parseManifest(bytes(umociManifest), undefined);
    expect(() => assertContainerImage(m, {})).not.toThrow();
  });
});

describe('image config and layers', () => {
  it('parses the fields Strata reads', () => {
    const c = parseImageConfig(bytes(config));
    expect(c.rootfs.diff_ids).toEqual([d('a'), d('b')]);
    expect(c.config?.Env).toEqual(['PATH=/usr/bin']);
    expect(c.config?.Cmd).toBeNull();
    expect(c.history).toHaveLength(4);
  });

  it('maps created_by lines to layers, skipping empty_layer entries', () => {
    expect(layerCreatedBy(parseImageConfig(bytes(config)))).toEqual(['mmdebstrap bookworm', 'apt-get install umoci']);
    const mismatched = { ...config, history: config.history.slice(0, 1) };
    expect(layerCreatedBy(parseImageConfig(bytes(mismatched)))).toEqual([undefined, undefined]);
  });

  it('pairs manifest layers with diff_ids', () => {
    const manifest = parseManifest(bytes(umociManifest), undefined) as ImageManifest;
    const layers = describeLayers(manifest, parseImageConfig(bytes(config)), {});
    expect(layers[1]).toMatchObject({ index: 1, digest: d('3'), diffId: d('b'), size: 25381113, createdBy: 'apt-get install umoci' });
    const short = { ...config, rootfs: { type: 'layers', diff_ids: [d('a')] } };
    expect(errorOf(() => describeLayers(manifest, parseImageConfig(bytes(short)), {})).message).toContain('2 layers but');
  });

  it('rejects configs without a usable rootfs', () => {
    expect(errorOf(() => parseImageConfig(bytes({ os: 'linux' }))).message).toContain('rootfs');
    expect(errorOf(() => parseImageConfig(bytes({ rootfs: { type: 'layers', diff_ids: ['x'] } }))).message).toContain('diff_ids');
    expect(errorOf(() => parseImageConfig(bytes({ rootfs: { type: 'zfs', diff_ids: [] } }))).message).toContain('rootfs.type');
  });
});
