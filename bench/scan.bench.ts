/**
 * Cold-scan floor: walking every layer of the Debian test image with
 * src/layer/ (blob digest and diffID verified, tar parsed, the files typical
 * scanners want — dpkg status, package.json, jars, executables — read into
 * memory) against the decompression floor, `pigz -dc` (gzip layout) or
 * `zstd -dc` (zstd layout) of the same blobs to /dev/null, page-cached, in
 * the same run. Goal (issue 3): <= 1.2 x floor + 0.3 s. Also 1 vs 2 layers
 * at once, and peak RSS (each walk runs in a fresh process: a cold start is
 * what a CLI scan gets, and its peak RSS is the walk's own).
 *
 * STRATA_BENCH_BIG_IMAGE=DIR adds the same figures for a bigger image built
 * by the same script (DIR holds oci/ and oci-zstd/ tagged 12), e.g.
 * EXTRA_PKGS="default-jdk-headless python3-full golang-go gcc g++ git".
 *
 * Run as a script (`node --import tsx bench/scan.bench.ts --walk DIR PARALLEL`)
 * it performs one walk and prints its figures as JSON: that is the child.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileEntry, LayerVisitor } from '../src/core/file.js';
import { openOciLayout } from '../src/image/oci-layout.js';
import { walkLayer } from '../src/layer/index.js';
import setupTestImages from '../test/support/global-setup.js';
import { debianImage } from '../test/support/images.js';
import { REPO_ROOT } from '../test/support/paths.js';
import { bestOf, figure, type BenchFigure, type BenchModule } from './harness.js';

/** Best of N: noise on a shared 2-core machine only ever adds time. */
const RUNS = 5;
const TAG = '12';

/** What the inventory scanners ask for, roughly: package databases, manifests, archives, executables. */
class TypicalScannerVisitor implements LayerVisitor {
  entries = 0;
  wanted = 0;
  bytes = 0;

  entry(): void {
    this.entries++;
  }

  wants(e: FileEntry): number {
    const p = e.path;
    if (p === 'var/lib/dpkg/status' || p.startsWith('var/lib/dpkg/status.d/') || p === 'lib/apk/db/installed') return 64 << 20;
    if (p.endsWith('/package.json') || p.endsWith('.jar') || p.endsWith('.dist-info/METADATA') || p.endsWith('.gemspec')) return 64 << 20;
    if (e.type === 'file' && (e.mode & 0o111) !== 0 && e.size > 0) return 128 << 20; // Go/Rust binaries
    return 0;
  }

  content(_e: FileEntry, data: Buffer): void {
    this.wanted++;
    this.bytes += data.length;
  }

  whiteout(): void {}
  opaque(): void {}
}

interface WalkResult {
  seconds: number;
  maxRssMiB: number;
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  wanted: number;
  wantedBytes: number;
}

/** The child: one walk of every layer of the layout, `parallel` layers at once. */
async function walkOnce(layout: string, parallel: number): Promise<WalkResult> {
  const image = await openOciLayout(layout, { select: TAG });
  const visitor = new TypicalScannerVisitor();
  const t0 = process.hrtime.bigint();
  let next = 0;
  let compressedBytes = 0;
  let uncompressedBytes = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < image.layers.length) {
        const layer = image.layers[next++];
        if (!layer) break;
        const stats = await walkLayer(layer, visitor, { imageName: image.name });
        compressedBytes += stats.compressedBytes;
        uncompressedBytes += stats.uncompressedBytes;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await image.close();
  return {
    seconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    compressedBytes,
    uncompressedBytes,
    entries: visitor.entries,
    wanted: visitor.wanted,
    wantedBytes: visitor.bytes,
  };
}

function layerBlobs(layout: string): string[] {
  const blob = (digest: string): string => path.join(layout, 'blobs', ...digest.split(':'));
  const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8')) as { layers: Array<{ digest: string }> };
  return manifest.layers.map((l) => blob(l.digest));
}

/** `pigz -dc` / `zstd -dc` of every blob, one after the other, to /dev/null. */
function decompressFloor(tool: 'pigz' | 'zstd', blobs: string[]): void {
  const devNull = openSync('/dev/null', 'w');
  try {
    for (const b of blobs) {
      const r = spawnSync(tool, ['-dc', b], { stdio: ['ignore', devNull, 'inherit'] });
      if (r.status !== 0) throw new Error(`${tool} -dc ${b} failed`);
    }
  } finally {
    closeSync(devNull);
  }
}

function childWalk(layout: string, parallel: number): WalkResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--walk', layout, String(parallel)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`walk of ${layout} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as WalkResult;
}

async function figuresFor(label: string, root: string, log: (m: string) => void): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const [kind, dir, tool] of [
    ['gzip', 'oci', 'pigz'],
    ['zstd', 'oci-zstd', 'zstd'],
  ] as const) {
    const layout = path.join(root, dir);
    if (!existsSync(layout)) continue;
    const blobs = layerBlobs(layout);
    for (const b of blobs) readFileSync(b); // into the page cache
    const floor = await bestOf(RUNS, () => decompressFloor(tool, blobs));
    const goal = 1.2 * floor + 0.3;
    for (const parallel of [1, 2]) {
      const runs = Array.from({ length: RUNS }, () => childWalk(layout, parallel));
      const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      // Median: a peak depends on when the GC happened to run.
      const rss = runs.map((r) => r.maxRssMiB).sort((a, b) => a - b)[Math.floor(runs.length / 2)] ?? 0;
      log(
        `${label} ${kind}, ${parallel} layer(s) at once: ${best.seconds.toFixed(3)} s vs ${tool} -dc ${floor.toFixed(3)} s; ` +
          `${(best.compressedBytes / 1e6).toFixed(1)} MB → ${(best.uncompressedBytes / 1e6).toFixed(1)} MB, ${best.entries} entries, ` +
          `${best.wanted} files read (${(best.wantedBytes / 1e6).toFixed(1)} MB), peak RSS ${rss.toFixed(0)} MiB`,
      );
      figures.push(
        figure(
          `layer walk, ${label} (${kind}), ${parallel} layer${parallel > 1 ? 's' : ''} at once`,
          best.seconds,
          's',
          floor,
          `<= 1.2 x ${tool} -dc + 0.3 s (= ${goal.toFixed(2)} s)`,
          best.seconds <= goal,
        ),
      );
      if (parallel === 2) figures.push(figure(`layer walk peak RSS (median of runs), ${label} (${kind})`, rss, 'MiB', null, 'flat as the image grows'));
    }
  }
  return figures;
}

const bench: BenchModule = async (ctx) => {
  setupTestImages();
  const figures = await figuresFor('debian test image', debianImage().root, (m) => ctx.log(m));
  const big = process.env.STRATA_BENCH_BIG_IMAGE;
  if (big) figures.push(...(await figuresFor('big image', big, (m) => ctx.log(m))));
  else ctx.log('STRATA_BENCH_BIG_IMAGE not set: big-image figures skipped');
  return figures;
};

export default bench;

if (process.argv[2] === '--walk' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [layout = '', parallel = '2'] = process.argv.slice(3);
  process.stdout.write(`${JSON.stringify(await walkOnce(layout, Number(parallel)))}\n`);
}
