/**
 * inventoryOfImage across images of one process: a layer two images share
 * is read once, but one image's damaged copy is no verdict on the other's,
 * and another image's read stands for a local copy only once that copy
 * hashes right; an image whose layer fails stops reading its other layers.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import type { Image, Layer } from '../core/image.js';
import { Limiter } from '../util/limiter.js';
import { packTar } from '../../test/support/oci-build.js';
import { inventoryOfImage } from './inventory.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface BlobLayer extends Layer {
  opened: number;
}

/** A gzip layer over `tar`; `blob` replaces the stored bytes (a damaged copy keeps the manifest's digest). */
function layer(index: number, tar: Buffer, blob?: Buffer): BlobLayer {
  const good = gzipSync(tar);
  const l: BlobLayer = {
    index,
    digest: sha256(good),
    diffId: sha256(tar),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size: good.length,
    opened: 0,
    open: () => {
      l.opened++;
      return Promise.resolve(Readable.from([blob ?? good]));
    },
  };
  return l;
}

function image(name: string, layers: Layer[]): Image {
  return { name, source: 'oci-layout', layers, close: () => Promise.resolve() };
}

const appTar = (version = '1.2.3') =>
  packTar([
    { name: 'app/', type: 'directory' },
    { name: 'app/package.json', content: JSON.stringify({ name: 'shared-app', version }) },
  ]);

describe('inventoryOfImage', () => {
  it("an image waiting for another image's read of a shared layer reads its own copy when that read fails", async () => {
    const tar = await appTar();
    const good = gzipSync(tar);
    const damaged = Buffer.from(good);
    damaged[4] = (damaged[4] ?? 0) ^ 0xff; // gzip MTIME: inflates fine, fails the digest
    const a = image('damaged', [layer(0, tar, damaged)]);
    const bLayer = layer(0, tar);
    const b = image('good', [bLayer]);
    const limiter = new Limiter(2);
    // Started in this order, b finds a's read of the layer in flight and waits for it.
    const [ra, rb] = await Promise.allSettled([inventoryOfImage(a, { cache: null, limiter }), inventoryOfImage(b, { cache: null, limiter })]);
    expect(ra.status).toBe('rejected');
    const err = (ra as PromiseRejectedResult).reason as StrataError;
    expect(err).toBeInstanceOf(StrataError);
    expect(err.code).toBe('digest-mismatch');
    expect(err.message).toMatch(/^image damaged, layer sha256:/);
    expect(rb.status).toBe('fulfilled');
    const inv = (rb as PromiseFulfilledResult<Awaited<ReturnType<typeof inventoryOfImage>>>).value;
    expect(inv.packages.map((p) => `${p.name} ${p.version} ${p.layer}`)).toEqual([`shared-app 1.2.3 ${bLayer.diffId}`]);
    expect(bLayer.opened).toBe(1);
  });

  it('a shared registry layer that reads fine is read once for both images', async () => {
    const tar = await appTar();
    const first = Object.assign(layer(0, tar), { contentAddressed: true });
    const second = Object.assign(layer(0, tar), { contentAddressed: true });
    const limiter = new Limiter(2);
    const [x, y] = await Promise.all([
      inventoryOfImage(image('x', [first]), { cache: null, limiter }),
      inventoryOfImage(image('y', [second]), { cache: null, limiter }),
    ]);
    expect(x.packages.map((p) => p.name)).toEqual(['shared-app']);
    expect(y.packages.map((p) => p.name)).toEqual(['shared-app']);
    expect(first.opened + second.opened).toBe(1);
  });

  it("a local layer waiting for another image's read of it is walked once, but its own copy is hashed before the shared analysis stands for it", async () => {
    const tar = await appTar();
    const good = gzipSync(tar);
    const fake = Buffer.from(good);
    fake[4] = (fake[4] ?? 0) ^ 0xff; // same size, other bytes: claims the layer's digest falsely
    const first = layer(0, tar);
    const second = layer(0, tar);
    const third = layer(0, tar, fake);
    const limiter = new Limiter(2);
    const [x, y, z] = await Promise.allSettled([
      inventoryOfImage(image('x', [first]), { cache: null, limiter }),
      inventoryOfImage(image('y', [second]), { cache: null, limiter }),
      inventoryOfImage(image('fake', [third]), { cache: null, limiter }),
    ]);
    expect([x.status, y.status]).toEqual(['fulfilled', 'fulfilled']);
    expect([first.opened, second.opened]).toEqual([1, 1]);
    expect(z.status).toBe('rejected');
    const err = (z as PromiseRejectedResult).reason as StrataError;
    expect(err.code).toBe('digest-mismatch');
    expect(err.message).toMatch(new RegExp(`^image fake, layer ${third.digest}: layer blob digest mismatch`));
  });

  it('the first failing layer stops the image: a layer still being read is abandoned, a queued one never opened', async () => {
    // Three different layers (the same diffID would share one read).
    const [tar, tar1, tar2] = await Promise.all([appTar('1.0.0'), appTar('1.0.1'), appTar('1.0.2')]);
    const broken = layer(1, tar1, Buffer.from('not a layer at all, and not what the digest says'));
    let endless: Readable | undefined;
    const slow: BlobLayer = {
      ...layer(0, tar),
      open: () => {
        // A blob that never ends (a stalled download): only an abort stops it.
        endless = new Readable({ read() {} });
        endless.push(gzipSync(tar).subarray(0, 10));
        return Promise.resolve(endless);
      },
    };
    const queued = layer(2, tar2);
    const limiter = new Limiter(2);
    const err = await inventoryOfImage(image('img', [slow, broken, queued]), { cache: null, limiter }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).message).toContain(`layer ${broken.digest}`);
    await new Promise((r) => setImmediate(r));
    expect(endless?.destroyed).toBe(true);
    expect(queued.opened).toBe(0);
  });
});
