import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/paths.js';
import { dpkg } from '../versioning/index.js';
import { compareLines } from './version.js';

/** Runs `strata …` from the TypeScript sources (no build needed). */
function strata(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '-e', "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })", ...args],
    { cwd: REPO_ROOT, input, encoding: 'utf8' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function batch(lines: string): Promise<{ out: string; error?: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  input.end(lines);
  try {
    await compareLines(dpkg, input, output);
    return { out };
  } catch (e) {
    return { out, error: (e as Error).message };
  }
}

describe('strata version compare', () => {
  it('prints -1, 0, 1 for two versions', () => {
    expect(strata(['version', 'compare', '--scheme', 'dpkg', '1.0~rc1', '1.0'])).toMatchObject({ status: 0, stdout: '-1\n' });
    expect(strata(['version', 'compare', '--scheme', 'rpm', '1:1.0', '2.0']).stdout).toBe('1\n');
  });

  it('batch mode over stdin, one result per line', () => {
    const r = strata(['version', 'compare', '--scheme', 'pep440'], '1.0\t1.0.0\n1.0a1\t1.0\n2.0\t1.0\r\n');
    expect(r).toMatchObject({ status: 0, stdout: '0\n-1\n1\n' });
  });

  it('an invalid version: exit 2 and a message naming the scheme and the string', () => {
    const r = strata(['version', 'compare', '--scheme', 'dpkg', 'abc', '1.0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('strata: error: invalid dpkg version "abc": version number does not start with digit\n');
  });

  it('batch mode names the line of an invalid version and keeps the results before it', async () => {
    expect(await batch('1.0\t1.1\n1.0\tx\n2\t1\n')).toEqual({ out: '-1\n', error: 'stdin line 2: invalid dpkg version "x": version number does not start with digit' });
    expect((await batch('1.0 1.1\n')).error).toBe('stdin line 1: expected two versions separated by one tab, got "1.0 1.1"');
    const r = strata(['version', 'compare', '--scheme', 'dpkg'], '1\t2\n1\t:\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('stdin line 2: invalid dpkg version ":"');
  });

  it('--scheme takes every scheme id and rejects others', () => {
    const help = strata(['version', 'compare', '--help']);
    for (const id of ['dpkg', 'rpm', 'apk', 'semver', 'cargo', 'pep440', 'maven', 'golang', 'gem', 'nuget', 'composer']) expect(help.stdout).toContain(id);
    const bad = strata(['version', 'compare', '--scheme', 'nope', '1', '2']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Allowed choices are dpkg, rpm, apk");
  });

  it('handles a large batch split across chunks', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `1.${i}\t1.${i % 7 === 0 ? i : i + 1}\n`).join('');
    const { out, error } = await batch(lines);
    expect(error).toBeUndefined();
    const results = out.trimEnd().split('\n');
    expect(results).toHaveLength(50_000);
    expect(results.filter((r) => r === '0')).toHaveLength(Math.ceil(50_000 / 7));
  });
});
