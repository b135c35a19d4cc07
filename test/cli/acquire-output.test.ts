/**
 * What `strata image` prints where: off a terminal nothing but the report on
 * stdout and only warnings on stderr; --quiet drops informational messages
 * but keeps warnings; --debug logs the work on each layer (or the cached
 * inventory); on a terminal
 * (a pseudo-terminal from util-linux's `script`) a progress display that
 * fits the terminal, cleared before the table report, and none with --quiet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../image/helpers.js';
import { assertBuilt, noDb, okJson, runStrata } from '../support/cli.js';
import { type JsonReport, layerRows } from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';
import { STRATA_BIN } from '../support/paths.js';

let work: string;
/** A loopback "registry" without the database repository: every request is a 404. */
let noDbRegistry: TestServer;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-output-'));
  noDbRegistry = await startServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
  });
});

afterAll(async () => {
  await noDbRegistry?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const layout = () => debianImage().ociLayout;
const stderrLines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');
const ESCAPES = /\x1b\[/;

describe('off a terminal', () => {
  it('stdout is exactly the JSON report; stderr holds only the no-database warning', async () => {
    const run = await runStrata(['image', '--input', layout(), ...noDb(work), '--no-cache']);
    const report = okJson<JsonReport>(run);
    expect(report.artifact.name).toBe(layout());
    expect(stderrLines(run.stderr)).toEqual([expect.stringMatching(/^warning: no vulnerability database at .*: run 'strata db build'/)]);
    expect(run.stderr).not.toMatch(ESCAPES);
    expect(run.stdout).not.toMatch(ESCAPES);
  });

  it('informational messages go to stderr, and --quiet drops them but keeps the warnings', async () => {
    const db = path.join(work, 'db', 'strata.db');
    const repo = `${noDbRegistry.host}/strata/db:1`;
    const args = ['image', '--input', layout(), '--db', db, '--db-repository', repo, '--cache-dir', path.join(work, 'cache')];
    const loud = await runStrata(args);
    okJson(loud);
    expect(stderrLines(loud.stderr)).toEqual([
      `updating the vulnerability database from ${repo} …`,
      expect.stringMatching(new RegExp(`^warning: no vulnerability database at ${db} \\(could not update the vulnerability database from ${repo}: `)),
    ]);
    const quiet = await runStrata([...args, '--quiet']);
    okJson(quiet);
    expect(stderrLines(quiet.stderr)).toEqual([expect.stringMatching(/^warning: no vulnerability database at /)]);
    expect(noDbRegistry.seen.length).toBeGreaterThan(0);
  });

  it('--debug logs the work on each layer (read, then from the cache); stdout stays the bare report', async () => {
    const cache = path.join(work, 'debug-cache');
    const cold = await runStrata(['image', '--input', layout(), ...noDb(work), '--cache-dir', cache, '--debug']);
    okJson(cold);
    const debug = stderrLines(cold.stderr).filter((l) => l.startsWith('[debug'));
    for (const layer of layerRows()) {
      // e.g. "[debug +0.912s] layer sha256:…: gzip, 77006540 → 196… bytes, 6021 entries in 850 ms"
      expect(debug.some((l) => l.includes(`layer ${layer.digest}: gzip, ${layer.size} → `) && /\d+ entries/.test(l)), layer.digest).toBe(true);
    }
    expect(stderrLines(cold.stderr).every((l) => l.startsWith('[debug') || l.startsWith('warning: '))).toBe(true);
    const warm = await runStrata(['image', '--input', layout(), ...noDb(work), '--cache-dir', cache, '--debug']);
    okJson(warm);
    // Every layer was seen: the image's assembled inventory comes from the cache (each layer blob hashed first).
    expect(warm.stderr).toContain(`${layout()}: inventory from cache`);
    for (const layer of layerRows()) expect(warm.stderr).toContain(`layer ${layer.diffId}: in the cached inventory`);
    const quietWarm = await runStrata(['image', '--input', layout(), ...noDb(work), '--cache-dir', cache]);
    expect(quietWarm.stderr).not.toContain('[debug');
  });
});

describe('a reader that stops early', () => {
  it('`strata … | head` ends without a stack trace and with the scan\'s own exit code', async () => {
    assertBuilt();
    // A real shell pipe into head, which exits after 100 bytes: the JSON report (~200 KB) is more than the
    // pipe holds, so strata's next write fails with EPIPE.
    const args = ['image', '--input', layout(), ...noDb(work), '--cache-dir', path.join(work, 'cache')];
    const child = spawn('bash', ['-c', '"$0" "$@" | head -c 100 > /dev/null; exit "${PIPESTATUS[0]}"', process.execPath, STRATA_BIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderrLines(stderr).every((l) => l.startsWith('warning: ')), stderr).toBe(true);
    expect(code).toBe(0);
  });
});

describe('on a terminal', () => {
  const columns = 90;

  it('draws per-layer and overall progress that fits the terminal, then the table report', async () => {
    const run = await runStrata(['image', '--input', layout(), ...noDb(work), '--no-cache'], { tty: { columns } });
    expect(run.code, run.stdout).toBe(0);
    const screen = run.stdout.replace(/\r/g, '');
    // Progress frames: "  layer 1/3 0014ecfa00ce  5.2 MB / 77.0 MB" and "layers 0/3 done, 10.5 MB / 102.4 MB".
    const rows = layerRows();
    const first = rows[0] as (typeof rows)[number];
    expect(screen).toMatch(new RegExp(`  layer 1/${rows.length} ${first.digest.slice(7, 19)}  \\d+\\.\\d MB / ${(first.size / 1e6).toFixed(1)} MB`));
    expect(screen).toMatch(new RegExp(`layers \\d/${rows.length} done, \\d+\\.\\d MB / \\d+\\.\\d MB`));
    const progress = screen.split(/\x1b\[\d*F\x1b\[J|\n/).filter((l) => /^( {2}layer |layers )/.test(l));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.filter((l) => l.length > columns - 1)).toEqual([]);
    // The default format on a terminal is the table; it comes after the last frame was erased.
    const tail = screen.slice(screen.lastIndexOf('\x1b[J') + 3);
    expect(tail).toMatch(/packages found/);
    expect(tail).not.toMatch(/layers \d+\/\d+ done/);
  });

  it('--quiet draws no progress', async () => {
    const run = await runStrata(['image', '--input', layout(), ...noDb(work), '--no-cache', '--quiet', '--format', 'json'], { tty: { columns } });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).not.toMatch(/layers \d+\/\d+ done/);
    expect(run.stdout).not.toMatch(/\x1b\[\d*F/);
    expect(run.stdout).toContain('"schemaVersion"');
  });
});
