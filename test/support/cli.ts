/**
 * Runs the built `strata` command (bin/strata.js over the bundle in dist/bundle/, as a user runs
 * it) in a child process with an isolated environment: its own HOME, cache
 * and a fresh TMPDIR that is checked for leftovers after the run. A run that
 * outlives its timeout is killed and reported, so a hang fails the test
 * instead of stalling the suite.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { REPO_ROOT, STRATA_BIN } from './paths.js';

export interface CliRun {
  /** Exit code; null when killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
  /** Whatever the run left in its TMPDIR (relative paths). */
  leftInTmp: string[];
}

export interface CliOptions {
  /** Added to (or, with undefined values, removed from) the child's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /**
   * Runs the command under util-linux's `script`, so stdout and stderr are
   * one pseudo-terminal of this many columns (both land in `stdout`).
   */
  tty?: { columns: number };
}

/** Variables that would make a test depend on the machine it runs on. */
const SCRUBBED = ['DOCKER_CONFIG', 'REGISTRY_AUTH_FILE', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'NO_COLOR', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'GITHUB_SHA', 'GITHUB_REF', 'GITHUB_WORKFLOW', 'GITHUB_JOB', 'GITHUB_RUN_ID'];

let sandbox: string | undefined;

/** One HOME / XDG cache for every run of this test file, so nothing touches the real ones. */
function sandboxDir(): string {
  sandbox ??= mkdtempSync(path.join(os.tmpdir(), 'strata-cli-home-'));
  return sandbox;
}

// Registered on the root suite of each test file importing this module (vitest isolates modules per file).
afterAll(() => {
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  sandbox = undefined;
});

function listTree(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    out.push(p);
    if (e.isDirectory()) out.push(...listTree(root, p));
  }
  return out;
}

export function assertBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'bundle', 'main.js'))) {
    throw new Error('dist/bundle/ is missing: run `npm run build` first (`npm test` does)');
  }
}

export async function runStrata(args: string[], options: CliOptions = {}): Promise<CliRun> {
  assertBuilt();
  const home = sandboxDir();
  mkdirSync(path.join(home, 'tmp'), { recursive: true });
  const tmp = mkdtempSync(path.join(home, 'tmp', 'run-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), TMPDIR: tmp };
  for (const k of Object.keys(env)) if (k.startsWith('STRATA_') || SCRUBBED.includes(k)) delete env[k];
  // A CI runner may say TERM=dumb, which turns the progress display off.
  if (options.tty) env.TERM = 'xterm-256color';
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  const command = options.tty
    ? {
        file: 'script',
        argv: ['-qefc', `stty cols ${options.tty.columns} rows 50 && exec ${[process.execPath, STRATA_BIN, ...args].map(shellQuote).join(' ')}`, '/dev/null'],
      }
    : { file: process.execPath, argv: [STRATA_BIN, ...args] };
  const child = spawn(command.file, command.argv, { cwd: options.cwd ?? home, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  clearTimeout(timer);
  const leftInTmp = listTree(tmp);
  rmSync(tmp, { recursive: true, force: true });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ms: Date.now() - started, timedOut, leftInTmp };
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Flags for a scan where the vulnerability database does not matter. */
export function noDb(dir: string): string[] {
  return ['--db', path.join(dir, 'no-such-dir', 'strata.db'), '--skip-db-update'];
}

/** A successful run: exit 0, in time, nothing left in TMPDIR; returns the parsed JSON stdout. */
export function okJson<T = unknown>(run: CliRun): T {
  expect(run.timedOut, `timed out; stderr:\n${run.stderr}`).toBe(false);
  expect(run.code, `stderr:\n${run.stderr}`).toBe(0);
  expect(run.leftInTmp).toEqual([]);
  return JSON.parse(run.stdout) as T;
}

export interface ExpectedError {
  /** Text the one error line must contain (the image name, the layer digest, the path …). */
  mentions?: string[];
  /** Matched against the error line. */
  matches?: RegExp;
  /** Never printed (a password). */
  secret?: string;
}

/**
 * A failed run as the issue wants it: exit code 2, in time, one
 * `strata: error: …` line on stderr and otherwise only warnings, no stack
 * trace, nothing on stdout, nothing left in TMPDIR. Returns the error line.
 */
export function expectCleanError(run: CliRun, expected: ExpectedError = {}): string {
  expect(run.timedOut, `timed out after ${run.ms} ms; stderr:\n${run.stderr}`).toBe(false);
  expect(run.code, `stdout:\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr}`).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines.filter((l) => /^\s+at /.test(l)), run.stderr).toEqual([]);
  const errors = lines.filter((l) => l.startsWith('strata: error: '));
  expect(errors, run.stderr).toHaveLength(1);
  expect(lines.filter((l) => !l.startsWith('strata: error: ') && !l.startsWith('warning: ')), run.stderr).toEqual([]);
  const line = errors[0] as string;
  for (const m of expected.mentions ?? []) expect(line).toContain(m);
  if (expected.matches) expect(line).toMatch(expected.matches);
  if (expected.secret) {
    expect(run.stderr).not.toContain(expected.secret);
    expect(run.stdout).not.toContain(expected.secret);
  }
  expect(run.stdout).toBe('');
  expect(run.leftInTmp).toEqual([]);
  return line;
}
