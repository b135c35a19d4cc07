/**
 * The unpack stage on the real Debian test image (gzip OCI layout, zstd OCI
 * layout, docker-archive with uncompressed layers): every layer's digest and
 * diffID verify, whiteouts match the oracle read from the layer blobs, and
 * the final file set equals what `umoci unpack` leaves on disk.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Image } from '../../src/core/image.js';
import { openImageArchive } from '../../src/image/open.js';
import { openOciLayout } from '../../src/image/oci-layout.js';
import { listImageFiles, walkLayer } from '../../src/layer/index.js';
import { RecordingVisitor } from '../../src/layer/testing/fixtures.js';
import { debianImage } from '../support/images.js';
import { strataListing, umociListing } from './umoci.js';

const img = debianImage();
const images: Record<string, Image> = {};

beforeAll(async () => {
  images.gzip = await openOciLayout(img.ociLayout, { select: '12' });
  images.zstd = await openOciLayout(img.ociZstdLayout, { select: '12' });
  images.archive = await openImageArchive(img.dockerArchive);
});
afterAll(async () => {
  for (const i of Object.values(images)) await i.close();
});

/** Whiteout markers as `layerNumber\tpath` lines, the format of rootfs-expected/whiteouts.tsv. */
function markers(layerNumber: number, v: RecordingVisitor): string[] {
  return v.events.flatMap((e) => {
    if (e[0] === 'whiteout') {
      const slash = e[1].lastIndexOf('/');
      return [`${layerNumber}\t${e[1].slice(0, slash + 1)}.wh.${e[1].slice(slash + 1)}`];
    }
    if (e[0] === 'opaque') return [`${layerNumber}\t${e[1] === '' ? '' : `${e[1]}/`}.wh..wh..opq`];
    return [];
  });
}

describe('walkLayer on the Debian test image', () => {
  for (const [kind, compression] of [
    ['gzip', 'gzip'],
    ['zstd', 'zstd'],
    ['archive', 'none'],
  ] as const) {
    it(`${kind}: every layer verifies, whiteouts match the oracle, wanted files arrive`, async () => {
      const image = images[kind] as Image;
      expect(image.layers).toHaveLength(3);
      const found: string[] = [];
      const visitors = image.layers.map(() => new RecordingVisitor((e) => e.path === 'var/lib/dpkg/status' || e.path === 'opt/app/package.json'));
      const stats = await Promise.all(image.layers.map((l, i) => walkLayer(l, visitors[i] as RecordingVisitor, { imageName: image.name })));
      visitors.forEach((v, i) => found.push(...markers(i + 1, v)));

      const oracle = readFileSync(path.join(img.expected, 'whiteouts.tsv'), 'utf8').trim().split('\n');
      expect(found.sort()).toEqual(oracle.sort());
      for (const s of stats) expect(s.compression).toBe(compression);
      // Layer 1 and 2 both write the dpkg status; layer 3 has the 2.0.0 package.json.
      expect(visitors[0]?.contents.get('var/lib/dpkg/status')?.toString()).toMatch(/^Package: /m);
      expect(visitors[2]?.contents.get('opt/app/package.json')?.toString()).toContain('2.0.0');
      const layersTsv = readFileSync(path.join(img.expected, 'layers.tsv'), 'utf8').trim().split('\n').slice(1);
      expect(image.layers.map((l) => l.diffId)).toEqual(layersTsv.map((line) => line.split('\t')[1]));
      // The same tar bytes whatever the compression: the docker-archive stores them as they are.
      expect(stats.map((s) => s.uncompressedBytes)).toEqual((images.archive as Image).layers.map((l) => l.size));
      expect(stats.map((s) => s.compressedBytes)).toEqual(image.layers.map((l) => l.size));
    });
  }

  it('the final file set equals `umoci unpack` of the same image', async () => {
    const files = await listImageFiles(images.gzip as Image);
    const ours = strataListing(files);
    const umoci = umociListing(img.ociLayout, '12');
    expect(ours.length).toBeGreaterThan(10_000);
    expect(ours).toEqual(umoci);

    // What the build script deleted or hid must be gone; the opaque dir's new file is there.
    for (const gone of ['etc/issue.net', 'usr/share/doc/curl', 'etc/motd', 'etc/protocols', 'opt/app/OLD-LAYER2.txt']) {
      expect(files.has(gone), gone).toBe(false);
    }
    expect(files.get('opt/app/package.json')?.type).toBe('file');
  });

  it('zstd layout and docker-archive give the same file set as the gzip layout', async () => {
    const gzip = strataListing(await listImageFiles(images.gzip as Image));
    expect(strataListing(await listImageFiles(images.zstd as Image))).toEqual(gzip);
    expect(strataListing(await listImageFiles(images.archive as Image))).toEqual(gzip);
  });
});
