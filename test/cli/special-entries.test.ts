/**
 * Issue 18 §4: character devices, block devices and FIFOs are valid layer
 * entries (OCI image-spec layer.md). A layer carrying them scans: they are
 * recorded, never opened or read — even where a scanner wants a file — and
 * the rest of the layer is scanned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noDb, okJson, runStrata } from '../support/cli.js';
import { gzipLayer, packTar, writeOciLayout } from '../support/oci-build.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-special-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const STATUS = 'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\n\n';

interface Report {
  packages: Array<{ name: string; version: string; foundBy: string }>;
  skipped: unknown[];
}

describe('device nodes and FIFOs in a layer', () => {
  it('are recorded and never read; the rest of the image is scanned (exit 0)', async () => {
    const dir = path.join(work, 'layout');
    const base = gzipLayer(
      await packTar([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
        { name: 'var/lib/dpkg/', type: 'directory' },
        { name: 'var/lib/dpkg/status', content: STATUS },
        { name: 'dev/', type: 'directory' },
        { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 },
        { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
        { name: 'run/', type: 'directory' },
        { name: 'run/initctl', type: 'fifo' },
        // Where scanners look for files: a FIFO that must never be opened.
        { name: 'app/', type: 'directory' },
        { name: 'app/package.json', type: 'fifo' },
        { name: 'app/package-lock.json', type: 'character-device', devmajor: 1, devminor: 5 },
      ]),
    );
    writeOciLayout(dir, [base]);
    const run = await runStrata(['image', '--input', dir, '--format', 'json', ...noDb(work), '--no-cache'], { timeoutMs: 30_000 });
    const report = okJson<Report>(run);
    expect(run.stderr).not.toMatch(/device nodes or FIFOs|error/);
    expect(report.packages.filter((p) => p.foundBy === 'dpkg').map((p) => `${p.name} ${p.version}`)).toEqual(['zlib1g 1:1.2.13.dfsg-1']);
  });
});
