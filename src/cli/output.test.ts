import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeOutputFile } from './output.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'strata-output-'));
  dirs.push(d);
  return d;
}

describe('writeOutputFile', () => {
  it('replaces a regular file atomically and leaves no temp file', async () => {
    const dir = tmp();
    const file = path.join(dir, 'sub', 'report.json');
    await writeOutputFile(file, 'one');
    await writeOutputFile(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(path.dirname(file))).toEqual(['report.json']);
  });

  it('writes into a FIFO and through a symlink instead of replacing them', async () => {
    const dir = tmp();
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // The reader is another process: a FIFO blocks whoever opens it until the other end is there.
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (c: Buffer) => (read += c.toString()));
    const closed = new Promise((resolve) => reader.on('close', resolve));
    await writeOutputFile(fifo, 'through the pipe');
    await closed;
    expect(read).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);

    const target = path.join(dir, 'target.json');
    writeFileSync(target, 'old');
    const link = path.join(dir, 'link.json');
    symlinkSync(target, link);
    await writeOutputFile(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('leaves /dev/null a device', async () => {
    await writeOutputFile('/dev/null', 'discarded');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});
