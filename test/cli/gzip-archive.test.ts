/**
 * Issue 18 §2: a gzip'd input archive (`docker save | gzip`) is decompressed
 * to a temp folder with the guards a layer gets. A gzip bomb stops early with
 * a message that says so (not "neither a docker-archive nor an OCI
 * archive"); the temp folder is removed on every exit path — errors,
 * SIGTERM — and one left by `kill -9` is swept by the next run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, noDb, okJson, runStrata } from '../support/cli.js';
import { STRATA_BIN } from '../support/paths.js';
import { gzipLayer, packTar, writeDockerArchive } from '../support/oci-build.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-gz-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `n` gzip members of 64 MiB of zeros each: one valid gzip stream of n × 64 MiB from n × ~65 KB. */
function gzipBomb(n: number): Buffer {
  const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: n }, () => member));
}

/** A docker-archive, gzip'd, whose one layer holds `big` bytes of random data (so it stays big when gzip'd). */
const archives = new Map<number, string>();
async function gzippedArchive(big: number): Promise<string> {
  const made = archives.get(big);
  if (made) return made;
  const dir = path.join(work, `archive-${big}`);
  mkdirSync(dir, { recursive: true });
  const tarPath = path.join(dir, 'image.tar');
  await writeDockerArchive(tarPath, [gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' }, { name: 'blob.bin', content: randomBytes(big) }]))]);
  const gz = `${tarPath}.gz`;
  writeFileSync(gz, gzipSync(readFileSync(tarPath), { level: 1 }));
  archives.set(big, gz);
  return gz;
}

describe('a gzip bomb given as --input', () => {
  it('stops at the ratio guard, says why, and leaves nothing in TMPDIR', async () => {
    const bomb = path.join(work, 'b.tar.gz');
    writeFileSync(bomb, gzipBomb(320)); // ~21 MB that would expand to 20 GiB
    const run = await runStrata(['image', '--input', bomb, ...noDb(work)], { timeoutMs: 60_000 });
    const line = expectCleanError(run, { mentions: [bomb], matches: /decompression bomb/ });
    expect(line).not.toMatch(/neither a docker-archive/);
    expect(run.ms).toBeLessThan(20_000);
  });

  it('a legitimate gzip\'d archive still scans', async () => {
    const gz = await gzippedArchive(1024);
    okJson(await runStrata(['image', '--input', gz, '--format', 'json', ...noDb(work), '--no-cache']));
  });
});

describe('the temp folder of a gzip\'d archive', () => {
  /** Starts a scan of `gz` with its own TMPDIR; resolves once the temp folder exists. */
  async function startScan(gz: string, tmp: string) {
    const child = spawn(process.execPath, [STRATA_BIN, 'image', '--input', gz, ...noDb(work), '--no-cache'], {
      env: { ...process.env, TMPDIR: tmp, HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache') },
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const started = Date.now();
    while (!readdirSync(tmp).some((n) => n.startsWith('strata-archive-'))) {
      if (Date.now() - started > 30_000) throw new Error('no temp folder appeared');
      await new Promise((r) => setTimeout(r, 5));
    }
    return { child, exited };
  }

  it('is removed when the run is stopped with SIGTERM half-way', async () => {
    const gz = await gzippedArchive(128 * 1024 * 1024);
    const tmp = mkdtempSync(path.join(work, 'tmp-'));
    const { child, exited } = await startScan(gz, tmp);
    child.kill('SIGTERM');
    const { signal } = await exited;
    expect(signal).toBe('SIGTERM');
    expect(readdirSync(tmp).filter((n) => n.startsWith('strata-'))).toEqual([]);
  });

  it('left by kill -9 is swept by the next run', async () => {
    const gz = await gzippedArchive(128 * 1024 * 1024);
    const tmp = mkdtempSync(path.join(work, 'tmp-'));
    const { child, exited } = await startScan(gz, tmp);
    child.kill('SIGKILL');
    await exited;
    const left = readdirSync(tmp).filter((n) => n.startsWith('strata-archive-'));
    expect(left).toHaveLength(1);
    // The next run that opens a gzip'd archive sweeps what the dead one left.
    const small = await gzippedArchive(1024);
    const next = spawn(process.execPath, [STRATA_BIN, 'image', '--input', small, ...noDb(work), '--no-cache', '--format', 'json'], {
      env: { ...process.env, TMPDIR: tmp, HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache') },
      stdio: 'ignore',
    });
    expect(await new Promise((resolve) => next.on('exit', resolve))).toBe(0);
    expect(existsSync(path.join(tmp, left[0] as string))).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith('strata-archive-'))).toEqual([]);
  });
});
