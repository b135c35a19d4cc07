import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Image, Layer } from '../core/image.js';
import { TtyProgress } from './progress.js';

/** A terminal of `columns` columns that records what is drawn. */
function terminal(columns: number) {
  const writes: string[] = [];
  const stream = { isTTY: true, columns, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  /** The lines of the last frame drawn. */
  const frame = () => (writes.at(-1) ?? '').split('\n').filter(Boolean);
  return { stream, writes, frame };
}

function image(name: string, sizes: number[]): Image {
  const layers: Layer[] = sizes.map((size, index) => ({
    index,
    digest: `sha256:${String(index).repeat(64)}`,
    diffId: `sha256:${String(index + 5).repeat(64)}`,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    size,
    open: () => Promise.resolve(Readable.from([])),
  }));
  return { name, source: 'oci-layout', layers, close: () => Promise.resolve() };
}

describe('TtyProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts every layer of an image from its first event, with bytes of the layers being read', () => {
    const t = terminal(100);
    const p = new TtyProgress(t.stream);
    const img = image('debian:12', [77_000_000, 25_000_000, 300]);
    p.imageStart(img);
    p.layerStart(img, img.layers[0] as Layer);
    p.layerBytes(img, img.layers[0] as Layer, 5_200_000);
    vi.advanceTimersByTime(100);
    expect(t.frame()).toEqual(['  layer 1/3 000000000000  5.2 MB / 77.0 MB', 'layers 0/3 done, 5.2 MB / 102.0 MB']);
  });

  it('cached layers count as done but not as bytes to read', () => {
    const t = terminal(100);
    const p = new TtyProgress(t.stream);
    const img = image('debian:12', [77_000_000, 25_000_000, 300]);
    p.imageStart(img);
    p.layerDone(img, img.layers[0] as Layer, 'cached');
    p.layerStart(img, img.layers[1] as Layer);
    p.layerDone(img, img.layers[1] as Layer, 'read');
    vi.advanceTimersByTime(100);
    expect(t.frame()).toEqual(['layers 2/3 done (1 cached), 25.0 MB / 25.0 MB']);
  });

  it('keeps the layer and byte counts whole on a narrow terminal and cuts the image name instead', () => {
    const t = terminal(80);
    const p = new TtyProgress(t.stream);
    const a = image(`/very/long/path/to/a/layout/${'x'.repeat(60)}/oci`, [77_000_000]);
    const b = image('registry.example.com/team/app:1', [1_000_000]);
    for (const img of [a, b]) {
      p.imageStart(img);
      p.layerStart(img, img.layers[0] as Layer);
      p.layerBytes(img, img.layers[0] as Layer, 1_000_000);
    }
    vi.advanceTimersByTime(100);
    const [lineA, lineB] = t.frame();
    expect(lineA).toMatch(/^ {2}layer 1\/1 000000000000 {2}1\.0 MB \/ 77\.0 MB {2}…x+\/oci$/);
    expect(lineB).toBe('  layer 1/1 000000000000  1.0 MB / 1.0 MB  registry.example.com/team/app:1');
    expect(t.frame().every((l) => l.length <= 79)).toBe(true);
  });

  it('a terminal that reports 0 columns (a pty without a size) is drawn 80 wide', () => {
    const t = terminal(0);
    const p = new TtyProgress(t.stream);
    const img = image('debian:12', [77_000_000]);
    p.layerStart(img, img.layers[0] as Layer);
    vi.advanceTimersByTime(100);
    expect(t.frame()[0]).toBe('  layer 1/1 000000000000  0.0 MB / 77.0 MB');
  });

  it('stop() erases what was drawn', () => {
    const t = terminal(100);
    const p = new TtyProgress(t.stream);
    const img = image('debian:12', [10]);
    p.layerStart(img, img.layers[0] as Layer);
    vi.advanceTimersByTime(100);
    p.stop();
    expect(t.writes.at(-1)).toBe('\x1b[2F\x1b[J');
  });
});
