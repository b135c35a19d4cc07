/**
 * The strata CLI as a user runs it: `node bin/strata.js …` in a child
 * process (built by `npm run build`, which `npm test` runs first), with its
 * caches in a temp dir and no terminal. Asynchronous, so a loopback server
 * in the test process can answer the child while it runs.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, STRATA_BIN } from '../support/paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export function assertBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'bundle', 'main.js'))) {
    throw new Error('dist/bundle/ is missing: run `npm run build` (npm test does) before these tests');
  }
}

export function strata(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [STRATA_BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strata ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
