/**
 * Issue 18 §3: size must not crash a scanner, and a scanner must never fail
 * silently. Images built here: 130,000 package.json files in one layer; a
 * dpkg status of 200,000 packages; one 24 MB package-lock.json of 500,000
 * entries beside a small good lockfile. Each scan ends with exit 0, every
 * package listed, nothing on stderr but expected warnings, a bounded peak
 * RSS (measured in the child by test/support/peak-rss.cjs), nothing left in
 * TMPDIR.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, STRATA_BIN } from '../support/paths.js';
import { DEBIAN_OS_RELEASE, dpkgStatus, packageLock, rawGzipLayer, type RawEntry } from '../support/big-layers.js';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import { gzipLayer, packTar, type TarEntry, writeOciLayout } from '../support/oci-build.js';
import { buildTrackerDb } from '../support/tracker-db.js';

interface Report {
  packages: Array<{ name: string; version: string; foundBy: string; paths: string[] }>;
  skipped: Array<{ path: string | null; layer?: string | null; scanner: string; reason: string }>;
}

let work: string;
let counter = 0;

let db: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-size-'));
  // A small database, so --exit-code has something to gate on.
  db = await buildTrackerDb(work);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Scans a one-layer layout of `entries` (JSON); returns the report, stderr and the child's peak RSS in MiB. */
async function scanLayer(entries: Iterable<RawEntry>, extra: string[] = []): Promise<{ report: Report; stderr: string; peakMiB: number; ms: number }> {
  const dir = path.join(work, `${++counter}`);
  writeOciLayout(dir, [rawGzipLayer(entries)]);
  const rssFile = path.join(work, `${counter}.rss`);
  const run = await runStrata(['image', '--input', dir, '--format', 'json', ...noDb(work), '--no-cache', ...extra], {
    timeoutMs: 240_000,
    env: { NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'test', 'support', 'peak-rss.cjs')}`, STRATA_TEST_PEAK_RSS_FILE: rssFile },
  });
  const report = okJson<Report>(run);
  return { report, stderr: run.stderr, peakMiB: Number(readFileSync(rssFile, 'utf8')) / 1024, ms: run.ms };
}

const base: RawEntry[] = [{ name: 'etc/', type: 'dir' }, { name: 'etc/os-release', content: DEBIAN_OS_RELEASE }];

describe('no input size hits a spread, recursion or argument limit', () => {
  it('130,000 package.json files in one layer', async () => {
    const N = 130_000;
    function* entries(): Generator<RawEntry> {
      yield* base;
      yield { name: 'app/', type: 'dir' };
      for (let i = 0; i < N; i++) yield { name: `app/m${i}/package.json`, content: `{"name":"m${i}","version":"1.0.${i % 7}"}` };
    }
    const { report, stderr, peakMiB, ms } = await scanLayer(entries());
    expect(stderr).not.toMatch(/internal error|call stack/);
    expect(report.packages.filter((p) => p.foundBy === 'npm')).toHaveLength(N);
    console.log(`130k package.json: ${ms} ms, peak ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(1024);
  });

  it('130,000 copies of the same package.json are one package with 130,000 paths (no quadratic merge)', async () => {
    const N = 130_000;
    function* entries(): Generator<RawEntry> {
      yield* base;
      for (let i = 0; i < N; i++) yield { name: `app/m${i}/package.json`, content: '{"name":"same","version":"1.0.0"}' };
    }
    const { report, ms } = await scanLayer(entries());
    const same = report.packages.filter((p) => p.name === 'same');
    expect(same).toHaveLength(1);
    expect(same[0]?.paths).toHaveLength(N);
    expect(ms).toBeLessThan(120_000);
  });

  it('a dpkg status of 200,000 packages', async () => {
    const N = 200_000;
    const { report, stderr, peakMiB, ms } = await scanLayer([...base, { name: 'var/lib/dpkg/status', content: dpkgStatus(N) }]);
    expect(stderr).not.toMatch(/internal error|call stack/);
    expect(report.packages.filter((p) => p.foundBy === 'dpkg')).toHaveLength(N);
    console.log(`200k dpkg: ${ms} ms, peak ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(2048);
  });

  it('a 24 MB package-lock.json of 500,000 entries does not take the other lockfiles down with it', async () => {
    const N = 500_000;
    const big = packageLock(N);
    expect(big.length).toBeGreaterThan(20e6);
    const { report, stderr, peakMiB, ms } = await scanLayer([
      ...base,
      { name: 'big/package-lock.json', content: big },
      { name: 'small/package-lock.json', content: packageLock(3) },
    ]);
    expect(stderr).not.toMatch(/internal error|call stack/);
    const locked = report.packages.filter((p) => p.foundBy === 'npm-lock');
    expect(locked.filter((p) => p.paths.includes('small/package-lock.json'))).toHaveLength(3);
    expect(locked.filter((p) => p.paths.includes('big/package-lock.json'))).toHaveLength(N);
    expect(report.skipped).toEqual([]);
    console.log(`500k lockfile: ${ms} ms, peak ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(2048);
  });
});

const STATUS = 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n';

/** Writes a one-layer layout of `entries` (tar-stream: symlinks allowed); returns its dir and layer diffID. */
async function layoutOf(entries: TarEntry[]): Promise<{ dir: string; diffId: string }> {
  const dir = path.join(work, `${++counter}`);
  const layer = gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', content: DEBIAN_OS_RELEASE }, ...entries]));
  writeOciLayout(dir, [layer]);
  return { dir, diffId: layer.diffId };
}

/** Without a gate: exit 0, a warning naming the path (and layer), an `incomplete` skipped entry. With --exit-code: exit 2 naming the path; with --allow-incomplete too: the gate judges what was read. */
async function expectIncomplete(target: string[], dbPath: string, reason: RegExp, layer?: string): Promise<void> {
  const scan = (extra: string[]) => runStrata([...target, '--format', 'json', '--db', db, '--skip-db-update', '--no-cache', ...extra], { timeoutMs: 60_000 });
  const plain = await scan([]);
  const report = okJson<Report>(plain);
  const warning = plain.stderr.split('\n').find((l) => l.startsWith('warning: ') && l.includes(dbPath));
  expect(warning, plain.stderr).toBeDefined();
  expect(warning).toMatch(reason);
  if (layer) expect(warning).toContain(`layer ${layer}`);
  const item = report.skipped.find((x) => x.path === dbPath);
  expect(item, JSON.stringify(report.skipped)).toMatchObject({ scanner: 'dpkg', incomplete: true });
  if (layer) expect(item?.layer).toBe(layer);

  const gated = await scan(['--exit-code', '1']);
  const line = expectCleanError({ ...gated, stdout: '' }, { mentions: [dbPath, '--allow-incomplete'], matches: /package list is incomplete/ });
  expect(line).toMatch(reason);

  const allowed = await scan(['--exit-code', '1', '--allow-incomplete']);
  expect(allowed.code, allowed.stderr).toBe(0);
}

describe('an OS package database that cannot be read is never a silent "0 packages"', () => {
  it('a dpkg status over the 64 MiB size limit', async () => {
    const huge = `${STATUS}Package: big\nStatus: install ok installed\nVersion: 1\nDescription: x\n ${'x'.repeat(65 * 1024 * 1024)}\n`;
    const { dir, diffId } = await layoutOf([{ name: 'var/lib/dpkg/', type: 'directory' }, { name: 'var/lib/dpkg/status', content: huge }]);
    await expectIncomplete(['image', '--input', dir], 'var/lib/dpkg/status', /too large/, diffId);
  });

  it('a symlink loop where the database should be', async () => {
    const { dir } = await layoutOf([
      { name: 'var/lib/', type: 'directory' },
      { name: 'var/lib/dpkg', type: 'symlink', linkname: 'dpkg-old' },
      { name: 'var/lib/dpkg-old', type: 'symlink', linkname: 'dpkg' },
    ]);
    await expectIncomplete(['image', '--input', dir], 'var/lib/dpkg/status', /symlink loop/);
  });

  it('the database replaced by a symlink (never followed)', async () => {
    const { dir, diffId } = await layoutOf([
      { name: 'srv/', type: 'directory' },
      { name: 'srv/status', content: STATUS },
      { name: 'var/lib/dpkg/', type: 'directory' },
      { name: 'var/lib/dpkg/status', type: 'symlink', linkname: '../../../srv/status' },
    ]);
    await expectIncomplete(['image', '--input', dir], 'var/lib/dpkg/status', /is a symlink/, diffId);
  });

  it('a root filesystem whose dpkg status is not readable by the (non-root) user scanning it', () => {
    // Runs as nobody (setpriv), in a world-readable tree outside the root-only sandbox.
    const shared = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-perm-'));
    try {
      chmodSync(shared, 0o755);
      const rootfs = path.join(shared, 'rootfs');
      mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
      mkdirSync(path.join(rootfs, 'var', 'lib', 'dpkg'), { recursive: true });
      writeFileSync(path.join(rootfs, 'etc', 'os-release'), DEBIAN_OS_RELEASE);
      writeFileSync(path.join(rootfs, 'var', 'lib', 'dpkg', 'status'), STATUS);
      chmodSync(path.join(rootfs, 'var', 'lib', 'dpkg', 'status'), 0o600);
      const home = path.join(shared, 'home');
      mkdirSync(home, { mode: 0o777 });
      chmodSync(home, 0o777);
      const asNobody = (extra: string[]) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, STRATA_BIN, 'rootfs', rootfs, '--format', 'json', ...noDb(home), '--no-cache', ...extra], {
          env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, XDG_CACHE_HOME: home },
          encoding: 'utf8',
          timeout: 60_000,
        });
      const run = asNobody([]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/warning: .*path var\/lib\/dpkg\/status: dpkg: cannot read the file: permission denied/);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.skipped).toContainEqual(expect.objectContaining({ path: 'var/lib/dpkg/status', scanner: 'dpkg', incomplete: true }));
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
