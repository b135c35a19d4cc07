/**
 * The vulnerability database: a full build from every snapshot in
 * ../shared/data/vulns (wall time and peak RSS of a fresh process, against
 * the floor of merely decompressing the same feeds with the system tools),
 * an incremental rebuild of the same inputs, the database size against the
 * raw feeds' size, and advisory lookups per second by (ecosystem, package).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/util/sqlite.js';
import { buildDatabase, openVulnStore } from '../src/vulndb/index.js';
import { REPO_ROOT, sharedData } from '../test/support/paths.js';
import { bestOf, figure, type BenchFigure, type BenchModule } from './harness.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

/** Decompressing every feed file to /dev/null with the system tools: the least any build must do. */
function decompressFloor(files: string[]): void {
  for (const f of files) {
    if (f.endsWith('.bz2')) execFileSync('bzip2', ['-dc', f], { stdio: ['ignore', 'ignore', 'inherit'] });
    else if (f.endsWith('.gz')) execFileSync('gzip', ['-dc', f], { stdio: ['ignore', 'ignore', 'inherit'] });
    else if (f.endsWith('.zip')) execFileSync('unzip', ['-p', f], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
    else execFileSync('cat', [f], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

const bench: BenchModule = async (ctx) => {
  const vulns = sharedData('vulns');
  const feeds = filesUnder(vulns).filter((f) => !f.includes('tracker-excerpts-vuls') && !f.endsWith('.md') && !f.endsWith('_schema.json'));
  const rawBytes = feeds.reduce((n, f) => n + statSync(f).size, 0);
  const work = mkdtempSync(path.join(os.tmpdir(), 'strata-bench-db-'));
  const out = path.join(work, 'strata.db');
  const figures: BenchFigure[] = [];
  try {
    const floor = await bestOf(3, () => decompressFloor(feeds));
    let best = { seconds: Number.POSITIVE_INFINITY, maxRssKiB: 0 };
    for (let i = 0; i < 3; i++) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/vulndb/run-build.ts'), out, vulns], {
        cwd: REPO_ROOT,
        env: { ...process.env, STRATA_BUILD_STATS: '1' },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
      const stats = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; maxRssKiB: number };
      if (stats.seconds < best.seconds) best = stats;
    }
    ctx.log(`full build ${best.seconds.toFixed(2)} s, floor (decompress only) ${floor.toFixed(2)} s`);
    figures.push(figure('db: full build from all snapshots', best.seconds, 's', floor, 'informational: vs decompressing the feeds with system tools'));
    figures.push(figure('db: full build peak RSS', best.maxRssKiB / 1024, 'MiB', null, '<= 512 MiB', best.maxRssKiB / 1024 <= 512));
    const incremental = await bestOf(3, () => buildDatabase({ inputs: [vulns], output: out }));
    figures.push(figure('db: rebuild, inputs unchanged', incremental, 's', best.seconds, '<= 0.5 x full build', incremental <= 0.5 * best.seconds));
    const dbBytes = statSync(out).size;
    figures.push(figure('db: size vs raw feeds (as published, compressed)', dbBytes / 1024 / 1024, 'MiB', rawBytes / 1024 / 1024, 'informational'));

    // Lookups: every (ecosystem, package) in the database (hits), and as many names it does not hold (misses).
    const raw = openDatabase(out, { readonly: true });
    const hits = raw.prepare('SELECT DISTINCT ecosystem, package FROM advisory').all() as { ecosystem: string; package: string }[];
    raw.close();
    const misses = hits.map((p, i) => ({ ecosystem: p.ecosystem, package: `${p.package}-missing-${i}` }));
    const store = openVulnStore(out);
    let decoded = 0;
    const hitSeconds = await bestOf(3, () => {
      decoded = 0;
      for (const k of hits) decoded += store.advisoriesFor(k.ecosystem, k.package).length;
    });
    const missSeconds = await bestOf(3, () => {
      for (const k of misses) store.advisoriesFor(k.ecosystem, k.package);
    });
    store.close();
    // The SQLite floor for hits: the same package row fetched, not decoded into advisories.
    const floorDb = openDatabase(out, { readonly: true });
    const rows = floorDb.prepare('SELECT data FROM package_row WHERE ecosystem = ? AND package = ?').pluck();
    const floorSeconds = await bestOf(3, () => {
      for (const k of hits) rows.all(k.ecosystem, k.package);
    });
    floorDb.close();
    ctx.log(`${hits.length} packages with advisories, ${decoded} advisories decoded per pass`);
    const hitRate = hits.length / hitSeconds;
    const floorRate = hits.length / floorSeconds;
    figures.push(figure('db: lookups of packages with advisories', hitRate, 'lookups/s', floorRate, '>= 0.6 x raw SQLite package rows (decoding included)', hitRate >= 0.6 * floorRate));
    const missRate = misses.length / missSeconds;
    figures.push(figure('db: lookups of packages without advisories', missRate, 'lookups/s', floorRate, '>= 500k/s', missRate >= 500_000));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return figures;
};

export default bench;
