/** `strata db build` and `strata db status` as a user runs them (the db commands on a commander program, in-process). */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerDbCommands } from '../../src/cli/db.js';
import { dbAgeWarning, defaultDbPath, parseDuration, resolveDbPath, SCHEMA_VERSION } from '../../src/vulndb/index.js';
import { sharedData } from '../support/paths.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'strata-vulndb-cli-'));

async function strata(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += chunk.toString();
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const program = new Command().exitOverride();
    registerDbCommands(program);
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.env = saved;
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('strata db', () => {
  it('build --from … --db FILE, then status --format json', async () => {
    const db = path.join(work, 'a', 'strata.db');
    const b = await strata(['db', 'build', '--from', sharedData('vulns', 'kev'), '--from', `debian-dsa=${sharedData('vulns', 'debian-tracker', 'DSA.list')}`, '--db', db]);
    expect(b.stderr).toMatch(/kev .*known_exploited_vulnerabilities\.json: 1404 records, 0 skipped/);
    expect(b.stderr).toMatch(/debian-dsa .*DSA\.list: 12393 records, 1 skipped/);
    expect(b.stderr).toMatch(/skipped: DSA\.list:17244 DSA-423/);
    const s = await strata(['db', 'status', '--format', 'json', '--db', db]);
    const status = JSON.parse(s.stdout) as { schemaVersion: number; builtAt: string; path: string; stale: boolean; sources: { id: string; input: string; records: number; skipped: number }[] };
    expect(status).toMatchObject({ schemaVersion: SCHEMA_VERSION, path: db, stale: false });
    expect(Date.now() - Date.parse(status.builtAt)).toBeLessThan(120_000);
    expect(status.sources.map((x) => [x.id, x.records, x.skipped])).toEqual([
      ['kev', 1404, 0],
      ['debian-dsa', 12393, 1],
    ]);
    expect(status.sources[0]?.input).toBe(sharedData('vulns', 'kev', 'known_exploited_vulnerabilities.json'));
    expect(s.stderr).toBe('');
    const table = await strata(['db', 'status'], { STRATA_DB: db });
    expect(table.stdout).toMatch(/^Database: {2}.*strata\.db$/m);
    expect(table.stdout).toMatch(/^debian-dsa +12393 +1 +sha256:/m);
  }, 60_000);

  it('status warns past --max-age, and fails clearly without a database', async () => {
    const db = path.join(work, 'a', 'strata.db');
    const s = await strata(['db', 'status', '--max-age', '0s', '--db', db]);
    expect(s.stderr).toMatch(/^warning: the vulnerability database .* was built 0 hours ago .*strata db update/m);
    await expect(strata(['db', 'status', '--db', path.join(work, 'none.db')])).rejects.toThrow(/no vulnerability database at .*none\.db: run 'strata db update'/);
  });

  it('build output goes to --output, defaults to --db, STRATA_DB, then the XDG cache', async () => {
    const out = path.join(work, 'out.db');
    await strata(['db', 'build', '-q', '--from', sharedData('vulns', 'kev'), '--output', out]);
    const s = await strata(['db', 'status', '--format', 'json'], { STRATA_DB: out });
    expect((JSON.parse(s.stdout) as { path: string }).path).toBe(out);
    expect(defaultDbPath({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe('/x/cache/strata/db/strata.db');
    expect(defaultDbPath({ HOME: '/home/u' })).toBe('/home/u/.cache/strata/db/strata.db');
    expect(defaultDbPath({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' })).toBe('/home/u/.cache/strata/db/strata.db');
    expect(resolveDbPath('/a/b.db', { STRATA_DB: '/c/d.db' })).toBe('/a/b.db');
    expect(resolveDbPath(undefined, { STRATA_DB: '/c/d.db' })).toBe('/c/d.db');
  });

  it('unknown feed ids and bad durations are usage errors', async () => {
    await expect(strata(['db', 'build', '--from', 'frobnicate=/tmp/x', '--db', path.join(work, 'u.db')])).rejects.toThrow(/unknown feed id "frobnicate".*known: osv, debian-dsa/);
    expect(() => parseDuration('seven days')).toThrow(/invalid duration/);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(dbAgeWarning({ schemaVersion: 1, builtAt: '2026-01-01T00:00:00Z', sources: [] }, '7d', new Date('2026-01-05T00:00:00Z'))).toBeUndefined();
    expect(dbAgeWarning({ schemaVersion: 1, builtAt: '2026-01-01T00:00:00Z', sources: [] }, '7d', new Date('2026-01-20T00:00:00Z'))).toMatch(/built 19 days ago .* more than 7 days/);
  });
});
