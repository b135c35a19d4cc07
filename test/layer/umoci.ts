/**
 * The oracle for an image's final file set: `umoci unpack` of the image into
 * a temp bundle, listed with `find -printf`. Rows carry what both sides know:
 * path, type, permission bits, size of regular files, symlink target.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileEntry } from '../../src/core/file.js';

/** `path type mode size link` lines, sorted. */
export function umociListing(layout: string, tag: string): string[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-umoci-'));
  const bundle = path.join(tmp, 'bundle');
  try {
    const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
    execFileSync('umoci', ['unpack', ...rootless, '--image', `${layout}:${tag}`, bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync('find', [path.join(bundle, 'rootfs'), '-mindepth', '1', '-printf', '%P\\0%y\\0%m\\0%s\\0%l\\0\\n'], {
      maxBuffer: 1 << 28,
    }).toString();
    return out
      .split('\0\n')
      .filter(Boolean)
      .map((line) => {
        const [p = '', y = '', m = '', s = '', l = ''] = line.split('\0');
        return row(p, y, y === 'l' ? '' : m, y === 'f' ? s : '', l);
      })
      .sort();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The same rows from Strata's listImageFiles. */
export function strataListing(files: Map<string, FileEntry>): string[] {
  const letter: Record<FileEntry['type'], string> = { file: 'f', hardlink: 'f', dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's' };
  return [...files.values()]
    .map((e) => {
      const y = letter[e.type];
      return row(e.path, y, y === 'l' ? '' : e.mode.toString(8), y === 'f' ? String(e.size) : '', e.type === 'symlink' ? (e.linkTarget ?? '') : '');
    })
    .sort();
}

function row(p: string, y: string, m: string, s: string, l: string): string {
  return [p, y, m, s, l].join('\t');
}
