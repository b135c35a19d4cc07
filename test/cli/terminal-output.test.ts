/**
 * Issue 18 §7: output that reaches a terminal. An image whose dpkg status has
 * a package named `evil` + `ESC]0;PWNED BEL ESC[31m` (version `1.0` +
 * `ESC[2J`), a layer history line and a file path carrying the same kind of
 * sequences: the bogus package is skipped with its path and reason, and
 * nothing the image supplies reaches the terminal raw — not in `--format
 * table`, not in `explain`, not in warnings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okJson, runStrata } from '../support/cli.js';
import { gzipLayer, packTar, writeOciLayout } from '../support/oci-build.js';
import { buildTrackerDb } from '../support/tracker-db.js';

const ESC = '\x1b';
const BEL = '\x07';
const EVIL_NAME = `evil${ESC}]0;PWNED${BEL}${ESC}[31m`;
const EVIL_VERSION = `1.0${ESC}[2J`;
const STATUS =
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n\n' +
  `Package: ${EVIL_NAME}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${EVIL_VERSION}\n\n`;

let work: string;
let db: string;
let layout: string;
let layerDiffId: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-tty-'));
  db = await buildTrackerDb(work);
  layout = path.join(work, 'layout');
  const layer = gzipLayer(
    await packTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'var/lib/dpkg/', type: 'directory' },
      { name: 'var/lib/dpkg/status', content: STATUS },
      { name: `app${ESC}]0;OWNED${BEL}/`, type: 'directory' },
      { name: `app${ESC}]0;OWNED${BEL}/package.json`, content: '{"name":"x\\u001b[2J","version":"1.0.0"}' },
      { name: `app${ESC}]0;OWNED${BEL}/package-lock.json`, content: '{"lockfileVersion":3,"packages":{"node_modules/ok":{"version":"1.0.0"}}}' },
    ]),
    { createdBy: `RUN echo ${ESC}]0;HISTORY${BEL}${ESC}[2J` },
  );
  layerDiffId = layer.diffId;
  writeOciLayout(layout, [layer]);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const scanArgs = () => ['--db', db, '--skip-db-update', '--no-cache'];

/** No OSC (title), no BEL, no screen clear, no colour other than Strata's own SGR codes. */
function expectNoRawSequences(text: string): void {
  expect(text).not.toContain(`${ESC}]`);
  expect(text).not.toContain(BEL);
  expect(text).not.toContain(`${ESC}[2J`);
  expect(text).not.toContain('PWNED\x07');
}

describe('control characters from an image', () => {
  it('a package name or version with control characters is skipped, with its path, layer and reason', async () => {
    const report = okJson<{ packages: Array<{ name: string }>; skipped: Array<{ path: string; layer: string; scanner: string; reason: string }> }>(
      await runStrata(['image', '--input', layout, '--format', 'json', ...scanArgs()]),
    );
    expect(report.packages.map((p) => p.name)).toContain('zlib1g');
    expect(report.packages.some((p) => /[\u0000-\u001f\u007f]/.test(p.name))).toBe(false);
    const evil = report.skipped.find((s) => s.reason.includes('control characters') && s.scanner === 'dpkg');
    expect(evil).toMatchObject({ path: 'var/lib/dpkg/status', layer: layerDiffId });
    expect(evil?.reason).toContain('evil\\x1b]0;PWNED\\x07\\x1b[31m');
    expect(evil?.reason).not.toContain(ESC);
    // The npm package.json name: the same rule.
    expect(report.skipped.some((s) => s.scanner === 'npm' && s.reason.includes('x\\x1b[2J')), JSON.stringify(report.skipped)).toBe(true);
  });

  it('--format table on a terminal: everything the image supplies is escaped', async () => {
    const run = await runStrata(['image', '--input', layout, '--format', 'table', ...scanArgs()], { tty: { columns: 200 } });
    expect(run.code, run.stdout).toBe(0);
    expectNoRawSequences(run.stdout);
    // The path of the lockfile target, shown escaped.
    expect(run.stdout).toContain('app\\x1b]0;OWNED\\x07/package-lock.json');
    expect(run.stdout).toContain('CVE-2099-1011');
  });

  it('explain on a terminal: the layer history line is escaped', async () => {
    const run = await runStrata(['explain', 'CVE-2099-1011', layout, ...scanArgs()], { tty: { columns: 200 } });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain('zlib1g');
    expect(run.stdout).toContain('RUN echo \\x1b]0;HISTORY\\x07\\x1b[2J');
    expectNoRawSequences(run.stdout);
  });
});
