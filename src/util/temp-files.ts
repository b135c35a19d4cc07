/**
 * Temporary files and folders that must not outlive the run: removed on every
 * exit path — normal return, error, `process.exit`, and SIGINT/SIGTERM/SIGHUP
 * (after which the process dies by the same signal). A `kill -9` cannot be
 * caught, so each temp folder carries its owner's pid (`PREFIX<pid>-XXXXXX`)
 * and the next run sweeps the folders of processes that are gone.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function removeAllSync(): void {
  for (const p of live) rmSync(p, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAllSync();
  for (const s of SIGNALS) process.off(s, onSignal);
  // Nobody else handles it: die by the signal, as the default action would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', removeAllSync);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Whether process `pid` exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `PREFIX<pid>-*` folders in the temp dir whose process is gone (left by a kill -9). Returns what it removed. */
export function sweepStaleTemp(prefix: string, dir = os.tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    rmSync(path.join(dir, name), { recursive: true, force: true });
    removed.push(path.join(dir, name));
  }
  return removed;
}

/** A new private temp folder `PREFIX<pid>-XXXXXX`, removed by `remove()` or, at the latest, when the process ends. */
export function makeTempDir(prefix: string): { dir: string; remove: () => Promise<void> } {
  install();
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
  live.add(dir);
  return {
    dir,
    remove: async () => {
      live.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
