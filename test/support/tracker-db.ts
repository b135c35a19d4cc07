/**
 * A small vulnerability database for CLI tests that need one (an
 * `--exit-code` gate, findings to show): the hand-written Debian tracker
 * cases (test/match/tracker-fixture.ts), built by `strata db build` into
 * `dir/strata.db`.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { INSTALLED } from '../cli/gates-fixture.js';
import { type InstalledPackage, trackerFixture } from '../match/tracker-fixture.js';
import { runStrata } from './cli.js';

/** `installed`: the target's packages the entries' versions follow (default: the gate test's rootfs, zlib1g 1:1.2.13.dfsg-1 and others). */
export async function buildTrackerDb(dir: string, installed: readonly InstalledPackage[] = INSTALLED): Promise<string> {
  trackerFixture(installed).write(path.join(dir, 'feeds', 'tracker'));
  const db = path.join(dir, 'strata.db');
  const built = await runStrata(['db', 'build', '--from', path.join(dir, 'feeds'), '--output', db], { timeoutMs: 120_000 });
  expect(built.code, built.stderr).toBe(0);
  return db;
}
