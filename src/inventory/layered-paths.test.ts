import { describe, expect, it } from 'vitest';
import { LayeredPaths, resolveInImage } from './layered-paths.js';

describe('LayeredPaths', () => {
  it('applies whiteouts and opaque dirs to lower layers only', () => {
    const lp = new LayeredPaths<number>();
    lp.applyLayer({ whiteouts: [], opaques: [] }, [
      ['etc/motd', 1],
      ['opt/app/package.json', 1],
      ['opt/app/old.txt', 1],
      ['usr/share/doc/curl/copyright', 1],
      ['usr/share/doc/curl-extra', 1],
    ]);
    lp.applyLayer({ whiteouts: ['etc/motd', 'usr/share/doc/curl'], opaques: ['opt/app'] }, [['opt/app/package.json', 2]]);
    expect([...lp.current()].sort()).toEqual([
      ['opt/app/package.json', 2],
      ['usr/share/doc/curl-extra', 1],
    ]);
    expect(lp.history('opt/app/package.json')).toEqual([1, 2]);
    expect(lp.history('etc/motd')).toEqual([1]);
  });

  it('lets a layer replace a path with another kind of entry', () => {
    const lp = new LayeredPaths<string>();
    lp.applyLayer({ whiteouts: [], opaques: [] }, [['usr/bin/tool', 'binary']]);
    lp.applyLayer({ whiteouts: [], opaques: [] }, [], ['usr/bin/tool']);
    expect(lp.current().size).toBe(0);
  });
});

describe('resolveInImage', () => {
  const links = new Map([
    ['etc/os-release', '../usr/lib/os-release'],
    ['bin', 'usr/bin'],
    ['lib', '/usr/lib'],
    ['loop/a', 'b'],
    ['loop/b', 'a'],
    ['escape', '../../../../etc/passwd'],
  ]);
  it('follows relative, absolute and directory links', () => {
    expect(resolveInImage('etc/os-release', links)).toBe('usr/lib/os-release');
    expect(resolveInImage('bin/bash', links)).toBe('usr/bin/bash');
    expect(resolveInImage('lib/x86_64-linux-gnu/libc.so.6', links)).toBe('usr/lib/x86_64-linux-gnu/libc.so.6');
  });
  it('never leaves the image and detects loops', () => {
    expect(resolveInImage('escape', links)).toBe('etc/passwd');
    expect(resolveInImage('loop/a', links)).toBeUndefined();
  });
});
