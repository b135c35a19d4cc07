/**
 * Issue 18 §5/§6: every path Strata opens for reading is checked to be a
 * regular file first. A FIFO (which blocks whoever opens it until a writer
 * comes), a device or a directory given where a file is expected ends in one
 * clear error naming the path and what it is — in time, never a hang or an
 * "internal error".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, runStrata } from '../support/cli.js';
import { gzipLayer, packTar, writeOciLayout } from '../support/oci-build.js';

let work: string;
let fifo: string;
let layout: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-regular-'));
  fifo = path.join(work, 'pipe');
  execFileSync('mkfifo', [fifo]);
  layout = path.join(work, 'layout');
  writeOciLayout(layout, [gzipLayer(await packTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/hostname', content: 'x\n' }]))]);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const FAST = { timeoutMs: 20_000 };

describe('--db that is not a regular file', () => {
  it('a FIFO: scans and db status fail at once, naming the path and saying it is a FIFO', async () => {
    for (const args of [
      ['image', '--input', layout, '--db', fifo, '--skip-db-update'],
      ['db', 'status', '--db', fifo],
    ]) {
      const run = await runStrata(args, FAST);
      const line = expectCleanError(run, { mentions: [fifo], matches: /FIFO/ });
      expect(line).toMatch(/not a regular file/);
      expect(run.ms).toBeLessThan(10_000);
    }
  });

  it('a directory: says so and what to do, not "internal error: EISDIR"', async () => {
    const dir = path.join(work, 'db-dir');
    mkdirSync(dir);
    for (const args of [
      ['image', '--input', layout, '--db', dir, '--skip-db-update'],
      ['db', 'status', '--db', dir],
    ]) {
      const run = await runStrata(args, FAST);
      const line = expectCleanError(run, { mentions: [dir], matches: /is a directory/ });
      expect(line).not.toMatch(/internal error|EISDIR/);
      expect(line).toMatch(/--db/);
    }
  });

  it('a character device (/dev/zero): refused, never read', async () => {
    const run = await runStrata(['db', 'status', '--db', '/dev/zero'], FAST);
    expectCleanError(run, { mentions: ['/dev/zero'], matches: /character device/ });
  });
});

describe('other inputs that are FIFOs', () => {
  it('--ignorefile, --vex, sbom-scan, --input and db build --from name the FIFO instead of hanging', async () => {
    const db = ['--db', path.join(work, 'none', 'strata.db'), '--skip-db-update'];
    const cases: Array<{ args: string[]; what: RegExp }> = [
      { args: ['image', '--input', layout, ...db, '--ignorefile', fifo], what: /ignore file/ },
      { args: ['image', '--input', layout, ...db, '--vex', fifo], what: /VEX file/ },
      { args: ['sbom-scan', fifo, ...db], what: /SBOM/ },
      { args: ['image', '--input', fifo, ...db], what: /image input/ },
      { args: ['db', 'build', '--from', fifo, '--output', path.join(work, 'built', 'strata.db')], what: /--from/ },
    ];
    for (const c of cases) {
      const run = await runStrata(c.args, FAST);
      const line = expectCleanError(run, { mentions: [fifo], matches: /FIFO/ });
      expect(line).toMatch(c.what);
    }
  });
});
