/**
 * Builds the real test images once per test run (mmdebstrap + umoci +
 * skopeo, see ../shared/data/images/README.md) and the rpm 4.18 SQLite rpmdb.
 * Outputs are cached under STRATA_TEST_IMAGES (default: a folder in the OS
 * temp dir keyed by the build scripts' hash), so a second run reuses them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedData } from './paths.js';

function scriptHash(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

function buildOnce(name: string, script: string, env: NodeJS.ProcessEnv = {}): string {
  const base = process.env.STRATA_TEST_IMAGES ?? path.join(os.tmpdir(), 'strata-test-images');
  const out = path.join(base, `${name}-${scriptHash([script])}`);
  if (existsSync(path.join(out, '.done'))) return out;
  const tmp = `${out}.building-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  process.stderr.write(`[global-setup] building ${name} with ${path.basename(script)} …\n`);
  execFileSync('bash', [script, tmp], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  execFileSync('touch', [path.join(tmp, '.done')]);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  process.stderr.write(`[global-setup] ${name} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return out;
}

export default function setup(): void {
  if (process.env.STRATA_SKIP_IMAGE_BUILD === '1') return;
  const debian = buildOnce('debian', sharedData('images', 'build-debian-image.sh'));
  const rpmdb = buildOnce('rpmdb', sharedData('images', 'build-rpmdb.sh'));
  process.env.STRATA_TEST_DEBIAN_IMAGE = debian;
  process.env.STRATA_TEST_RPMDB = rpmdb;
}
