import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import type { FileEntry } from '../core/file.js';
import type { Logger } from '../core/log.js';
import { walkDirectory } from './walk-directory.js';
import { RecordingVisitor } from './testing/fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'strata-walkdir-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'etc'));
  writeFileSync(path.join(root, 'etc', 'os-release'), 'ID=test\n');
  mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
  writeFileSync(path.join(root, 'usr', 'bin', 'tool'), 'binary');
  chmodSync(path.join(root, 'usr', 'bin', 'tool'), 0o4755);
  symlinkSync('tool', path.join(root, 'usr', 'bin', 'tool-link'));
  symlinkSync('loop', path.join(root, 'loop'));
  symlinkSync('b', path.join(root, 'a'));
  symlinkSync('a', path.join(root, 'b'));
  symlinkSync('/etc', path.join(root, 'host-etc'));
  symlinkSync('..', path.join(root, 'usr', 'up'));
  execFileSync('mkfifo', [path.join(root, 'etc', 'initctl')]);
  return root;
}

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(m), info: (m) => lines.push(m), warn: (m) => lines.push(m) };
}

describe('walkDirectory', () => {
  it('reports every entry once, symlinks with targets, never follows links, never opens a FIFO', async () => {
    const root = tree();
    const v = new RecordingVisitor(() => true);
    const stats = await walkDirectory(root, v);
    const seen = [...v.entries.values()].map((e) => `${e.path} ${e.type}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`).sort();
    expect(seen).toEqual([
      'a symlink -> b',
      'b symlink -> a',
      'etc dir',
      'etc/initctl fifo',
      'etc/os-release file',
      'host-etc symlink -> /etc',
      'loop symlink -> loop',
      'usr dir',
      'usr/bin dir',
      'usr/bin/tool file',
      'usr/bin/tool-link symlink -> tool',
      'usr/up symlink -> ..',
    ]);
    expect([...v.contents.keys()].sort()).toEqual(['etc/os-release', 'usr/bin/tool']);
    expect(v.contents.get('usr/bin/tool')?.toString()).toBe('binary');
    expect(v.entries.get('usr/bin/tool')).toMatchObject({ mode: 0o4755, size: 6 });
    expect(stats).toMatchObject({ entries: 12, compression: 'directory', uncompressedBytes: 14 });
    // Parents come before their children, and content right after its entry.
    const order = v.events.map((e) => `${e[0]} ${e[1]}`);
    expect(order.indexOf('entry usr/bin')).toBeLessThan(order.indexOf('entry usr/bin/tool'));
    expect(order[order.indexOf('entry usr/bin/tool') + 1]).toBe('content usr/bin/tool');
  });

  it('skips files that vanish or turn into a FIFO between listing and reading', async () => {
    const root = tree();
    writeFileSync(path.join(root, 'etc', 'zz-vanishes'), 'gone soon');
    writeFileSync(path.join(root, 'etc', 'zz-becomes-fifo'), 'soon a fifo');
    const v = new RecordingVisitor(() => true);
    const realEntry = v.entry.bind(v);
    v.entry = (e: FileEntry) => {
      realEntry(e);
      if (e.path === 'etc/os-release') {
        unlinkSync(path.join(root, 'etc', 'zz-vanishes'));
        unlinkSync(path.join(root, 'etc', 'zz-becomes-fifo'));
        execFileSync('mkfifo', [path.join(root, 'etc', 'zz-becomes-fifo')]);
      }
    };
    const log = logger();
    await walkDirectory(root, v, { logger: log });
    expect(v.entries.has('etc/zz-vanishes')).toBe(true); // listed before it went away
    expect(v.contents.has('etc/zz-vanishes')).toBe(false);
    expect(v.contents.has('etc/zz-becomes-fifo')).toBe(false);
    expect(log.lines.some((l) => l.includes('zz-vanishes: skipped (ENOENT)'))).toBe(true);
    expect(log.lines.some((l) => l.includes('zz-becomes-fifo: changed while reading'))).toBe(true);
  });

  it('skips what it may not read (EACCES), as an unprivileged user', async () => {
    const root = tree();
    writeFileSync(path.join(root, 'etc', 'shadow'), 'secret');
    chmodSync(path.join(root, 'etc', 'shadow'), 0o000);
    mkdirSync(path.join(root, 'root'));
    writeFileSync(path.join(root, 'root', 'hidden'), 'x');
    chmodSync(path.join(root, 'root'), 0o000);
    if (process.getuid?.() === 0) {
      // root reads everything: walk as `nobody` in a child process instead.
      chmodSync(root, 0o755);
      const script = `
        import { walkDirectory } from ${JSON.stringify(path.resolve('src/layer/walk-directory.ts'))};
        const events = [];
        const log = [];
        await walkDirectory(process.argv[1], {
          entry: (e) => events.push('entry ' + e.path),
          wants: () => 1 << 20,
          content: (e) => events.push('content ' + e.path),
          whiteout() {}, opaque() {},
        }, { logger: { debug: (m) => log.push(m), info() {}, warn: (m) => log.push(m) } });
        console.log(JSON.stringify({ events, log }));
      `;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, root], {
        uid: 65534,
        gid: 65534,
        env: { ...process.env, TSX_TSCONFIG_PATH: path.resolve('tsconfig.json') },
        cwd: process.cwd(),
      }).toString();
      const { events, log } = JSON.parse(out.trim().split('\n').pop() as string) as { events: string[]; log: string[] };
      expect(events).toContain('entry etc/shadow');
      expect(events).not.toContain('content etc/shadow');
      expect(events).toContain('content etc/os-release');
      expect(events).toContain('entry root');
      expect(events).not.toContain('entry root/hidden');
      expect(log.some((l) => /shadow: skipped \(EACCES\)/.test(l))).toBe(true);
      expect(log.some((l) => /root: skipped \(EACCES\)/.test(l))).toBe(true);
      return;
    }
    const v = new RecordingVisitor(() => true);
    await walkDirectory(root, v);
    expect(v.entries.has('etc/shadow')).toBe(true);
    expect(v.contents.has('etc/shadow')).toBe(false);
    expect(v.entries.has('root/hidden')).toBe(false);
  });

  it('reads files larger than the limit as oversize, never into memory', async () => {
    const root = tree();
    writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(5000, 1));
    const v = new RecordingVisitor((e) => e.path === 'big.bin', 1000);
    await walkDirectory(root, v);
    expect(v.events).toContainEqual(['oversize', 'big.bin', 1000]);
    expect(v.contents.has('big.bin')).toBe(false);
  });

  it('walks /dev of this machine without opening a device or entering devpts / tmpfs mounts', async () => {
    const v = new RecordingVisitor(() => true);
    const log = logger();
    await walkDirectory('/dev', v, { logger: log });
    const paths = [...v.entries.keys()];
    expect(v.entries.get('null')?.type).toBe('char');
    expect(v.contents.size).toBe(0);
    expect(paths.some((p) => p.startsWith('pts/'))).toBe(false);
    expect(paths.some((p) => p.startsWith('shm/'))).toBe(false);
    expect(log.lines.some((l) => /\/dev\/pts: not entered \(devpts mount\)/.test(l))).toBe(true);
  });

  it('on / it lists /proc, /sys, /dev and /run but never enters them', async () => {
    const controller = new AbortController();
    const log = logger();
    const seen: string[] = [];
    const visitor = new RecordingVisitor();
    visitor.entry = (e: FileEntry) => {
      seen.push(e.path);
      // The root's own listing decides about its children; a little later is enough to stop.
      if (seen.length > 2000) controller.abort(new Error('enough'));
    };
    await walkDirectory('/', visitor, { logger: log, signal: controller.signal }).catch((e: unknown) => {
      if (!(e instanceof Error) || e.message !== 'enough') throw e;
    });
    for (const top of ['proc', 'sys', 'dev', 'run']) {
      if (!existsSync(`/${top}`)) continue;
      expect(log.lines).toContain(`/${top}: not entered (runtime file system of the running machine)`);
      expect(seen.some((p) => p.startsWith(`${top}/`)), top).toBe(false);
    }
    expect(seen).toContain('proc');
  });

  it('a root that is missing or not a directory is an error naming it', async () => {
    await expect(walkDirectory('/nonexistent/strata', new RecordingVisitor())).rejects.toMatchObject({ code: 'not-found' });
    const root = tree();
    const err = await walkDirectory(path.join(root, 'etc', 'os-release'), new RecordingVisitor()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('usage');
    expect((err as StrataError).message).toMatch(/os-release is not a directory/);
  });
});
