/**
 * Issue 18 §6: leftovers and messages. A `db build` killed with kill -9
 * leaves its temp database, SQLite's journal and a feeds folder: the next
 * build removes all three. Environment problems name the path and what to do
 * (a disk filling during `db build`, a layer blob that is a symlink to
 * /dev/zero). Garbage written into the middle of the database is caught by
 * the content digest recorded at build time, on `db status`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackerFixture } from '../match/tracker-fixture.js';
import { INSTALLED } from './gates-fixture.js';
import { expectCleanError, noDb, runStrata } from '../support/cli.js';
import { gzipLayer, packTar, writeOciLayout } from '../support/oci-build.js';

let work: string;
let feeds: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-leftovers-'));
  feeds = path.join(work, 'feeds');
  trackerFixture(INSTALLED).write(path.join(feeds, 'tracker'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync('true').pid;
}

describe('db build after a build killed with kill -9', () => {
  it('removes the dead build\'s temp database, its SQLite journal and its feeds folder; a build leaves nothing behind', async () => {
    const out = path.join(work, 'db1');
    mkdirSync(out);
    const db = path.join(out, 'strata.db');
    const tmp = path.join(work, 'tmp1');
    mkdirSync(tmp);
    const pid = deadPid();
    const stale = [`.strata.db.${pid}.0b5e.tmp`, `.strata.db.${pid}.0b5e.tmp-journal`];
    for (const n of stale) writeFileSync(path.join(out, n), 'left by a killed build');
    mkdirSync(path.join(tmp, `strata-feeds-${pid}-AbCdEf`));
    const run = await runStrata(['db', 'build', '--from', feeds, '--output', db], { env: { TMPDIR: tmp }, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['strata.db', 'strata.db.sha256']);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('messages that name the path and what to do', () => {
  it('a disk filling during db build: names the folder, says the disk is full, leaves no partial file', async (ctx) => {
    const mnt = path.join(work, 'small-disk');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root and mount rights: a 64 KiB tmpfs stands in for a full disk
      return;
    }
    try {
      const db = path.join(mnt, 'strata.db');
      const run = await runStrata(['db', 'build', '--from', feeds, '--output', db], { timeoutMs: 120_000 });
      const line = expectCleanError(run, { mentions: [mnt], matches: /disk .* is full/ });
      expect(line).not.toMatch(/internal error|database or disk is full$/);
      expect(readdirSync(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('a layer blob that is a symlink to /dev/zero: says it is not a regular file (not "missing")', async () => {
    const dir = path.join(work, 'layout-devzero');
    const built = writeOciLayout(dir, [gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }]))]);
    const blob = path.join(dir, 'blobs', 'sha256', (built.layerDigests[0] as string).slice(7));
    unlinkSync(blob);
    symlinkSync('/dev/zero', blob);
    const run = await runStrata(['image', '--input', dir, ...noDb(work)], { timeoutMs: 20_000 });
    const line = expectCleanError(run, { mentions: [built.layerDigests[0] as string], matches: /character device, not a regular file/ });
    expect(line).not.toMatch(/missing/);
  });
});

describe('the database content digest', () => {
  it('is recorded by db build, and garbage written into the middle of the file is an error on db status (a scan checks the header only: README)', async () => {
    const db = path.join(work, 'db2', 'strata.db');
    const built = await runStrata(['db', 'build', '--from', feeds, '--output', db], { timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    expect(readdirSync(path.dirname(db))).toContain('strata.db.sha256');
    const ok = await runStrata(['db', 'status', '--db', db]);
    expect(ok.code, ok.stderr).toBe(0);

    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.from('garbage garbage garbage'), 0, 23, Math.floor(statSync(db).size / 2));
    closeSync(fd);
    const run = await runStrata(['db', 'status', '--db', db]);
    expectCleanError(run, { mentions: [db], matches: /does not match the digest recorded/ });
  });
});
