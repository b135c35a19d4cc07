import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import type { EntryType } from '../core/file.js';
import { changesOf, LayerStack, type LayerChange } from './whiteout.js';

type Spec = string; // "f path", "d path", "l path target", "h path target", "w path", "o dir"

/** Builds one layer's changes from short lines; payload = "layerN:path". */
function layer(n: number, ...lines: Spec[]): LayerChange<string>[] {
  return lines.map((line) => {
    const [op, p = '', target] = line.split(' ');
    switch (op) {
      case 'w':
        return { kind: 'whiteout', path: p };
      case 'o':
        return { kind: 'opaque', dir: p };
      default: {
        const type: EntryType = op === 'd' ? 'dir' : op === 'l' ? 'symlink' : op === 'h' ? 'hardlink' : 'file';
        return { kind: 'entry', path: p, type, ...(target !== undefined ? { linkTarget: target } : {}), value: `L${n}:${p}` };
      }
    }
  });
}

function stackOf(...layers: LayerChange<string>[][]): LayerStack<string> {
  const s = new LayerStack<string>({ where: { image: 'test:1' } });
  layers.forEach((changes, i) => s.applyLayer(i, changes, { layer: `sha256:layer${i}` }));
  return s;
}

/** "path type value" lines of the final image. */
function listing(s: LayerStack<string>): string[] {
  return [...s.entries()].map((e) => `${e.path} ${e.type} ${e.type === 'hardlink' ? `->${e.linkedValue}` : (e.value ?? 'implied')}`);
}

describe('LayerStack: OCI layer semantics', () => {
  it('a later layer replaces a path; a whiteout deletes it and everything below', () => {
    const s = stackOf(
      layer(0, 'd etc', 'f etc/motd', 'f etc/issue', 'd usr', 'd usr/share', 'd usr/share/doc', 'd usr/share/doc/curl', 'f usr/share/doc/curl/README'),
      layer(1, 'f etc/issue', 'w etc/motd', 'w usr/share/doc/curl'),
    );
    expect(listing(s)).toEqual([
      'etc dir L0:etc',
      'etc/issue file L1:etc/issue',
      'usr dir L0:usr',
      'usr/share dir L0:usr/share',
      'usr/share/doc dir L0:usr/share/doc',
    ]);
    expect(s.size).toBe(5);
    expect(s.get('etc/issue')?.layer).toBe(1);
  });

  it('an opaque directory hides lower children, not its own layer\'s, wherever the marker sits in the tar', () => {
    for (const order of [
      ['d opt', 'd opt/app', 'o opt/app', 'f opt/app/package.json'],
      ['d opt', 'd opt/app', 'f opt/app/package.json', 'o opt/app'],
    ]) {
      const s = stackOf(
        layer(0, 'd opt', 'd opt/app', 'f opt/app/package.json', 'f opt/app/OLD.txt', 'd opt/app/lib', 'f opt/app/lib/x.js', 'f opt/other'),
        layer(1, ...order),
      );
      expect(listing(s)).toEqual(['opt dir L1:opt', 'opt/app dir L1:opt/app', 'opt/app/package.json file L1:opt/app/package.json', 'opt/other file L0:opt/other']);
    }
  });

  it('a whiteout never deletes what its own layer added (even when it comes later in the tar)', () => {
    const s = stackOf(layer(0, 'd a', 'f a/old', 'd a/b', 'f a/b/lower'), layer(1, 'd a/b', 'f a/b/new', 'w a/b'));
    expect(listing(s)).toEqual(['a dir L0:a', 'a/b dir L1:a/b', 'a/b/new file L1:a/b/new', 'a/old file L0:a/old']);
  });

  it('a deleted directory re-created in the same layer holds only the new children', () => {
    const s = stackOf(layer(0, 'd a', 'd a/b', 'f a/b/c', 'f a/b/d'), layer(1, 'w a/b', 'd a/b', 'f a/b/c'));
    expect(listing(s)).toEqual(['a dir L0:a', 'a/b dir L1:a/b', 'a/b/c file L1:a/b/c']);
  });

  it('a file over a directory drops the directory\'s subtree; a directory over a directory keeps it', () => {
    const s = stackOf(
      layer(0, 'd x', 'f x/1', 'd y', 'f y/1', 'f z'),
      layer(1, 'f x', 'd y', 'd z', 'f z/new'),
    );
    expect(listing(s)).toEqual(['x file L1:x', 'y dir L1:y', 'y/1 file L0:y/1', 'z dir L1:z', 'z/new file L1:z/new']);
    expect(s.size).toBe(5);
  });

  it('entries below a symlinked directory land where the symlink points (relative, absolute, with ..)', () => {
    const s = stackOf(
      layer(0, 'd usr', 'd usr/lib', 'l lib usr/lib', 'l lib64 /usr/lib', 'd etc', 'l etc/alt ../../../usr'),
      layer(1, 'f lib/libc.so', 'f lib64/ld.so', 'f etc/alt/lib/zz'),
    );
    expect(listing(s)).toEqual([
      'etc dir L0:etc',
      'etc/alt symlink L0:etc/alt',
      'lib symlink L0:lib',
      'lib64 symlink L0:lib64',
      'usr dir L0:usr',
      'usr/lib dir L0:usr/lib',
      'usr/lib/ld.so file L1:lib64/ld.so',
      'usr/lib/libc.so file L1:lib/libc.so',
      'usr/lib/zz file L1:etc/alt/lib/zz',
    ]);
  });

  it('whiteouts and opaque markers also resolve their directory through symlinks', () => {
    const s = stackOf(layer(0, 'd usr', 'd usr/lib', 'f usr/lib/a', 'f usr/lib/b', 'l lib usr/lib'), layer(1, 'w lib/a'), layer(2, 'o lib'));
    expect(listing(s)).toEqual(['lib symlink L0:lib', 'usr dir L0:usr', 'usr/lib dir L0:usr/lib']);
  });

  it('implied parents become directories; a file in a parent position is replaced', () => {
    const s = stackOf(layer(0, 'f a'), layer(1, 'f a/b/c'));
    expect(listing(s)).toEqual(['a dir implied', 'a/b dir implied', 'a/b/c file L1:a/b/c']);
  });

  it('a hard link takes the content of its target as it was when linked', () => {
    const s = stackOf(layer(0, 'd bin', 'f bin/perl', 'h bin/perl5 bin/perl'), layer(1, 'f bin/perl'));
    expect(listing(s)).toEqual(['bin dir L0:bin', 'bin/perl file L1:bin/perl', 'bin/perl5 hardlink ->L0:bin/perl']);
  });

  it('a hard link to nothing is unsafe', () => {
    expect(() => stackOf(layer(0, 'h shadow etc/shadow'))).toThrow(StrataError);
    try {
      stackOf(layer(0, 'd etc'), layer(1, 'h x etc'));
    } catch (e) {
      expect((e as StrataError).code).toBe('unsafe');
      expect((e as StrataError).message).toBe('image test:1, layer sha256:layer1, path x: hard link to "etc", which is not a file in the image');
    }
  });

  it('a symlink loop in a parent directory is unsafe, naming the path', () => {
    let err: unknown;
    try {
      stackOf(layer(0, 'l a b', 'l b a'), layer(1, 'f a/file'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('unsafe');
    expect((err as StrataError).message).toMatch(/^image test:1, layer sha256:layer1, path a\/file: symlink loop/);
  });

  it('resolve() follows links like a chroot of the image and reports loops', () => {
    const s = stackOf(layer(0, 'd usr', 'd usr/bin', 'f usr/bin/dash', 'l bin usr/bin', 'l usr/bin/sh dash', 'l up ../../..', 'l self self', 'l x y', 'l y x'));
    expect(s.resolve('bin/sh')).toBe('usr/bin/dash');
    // `..` applies to where the link led (/usr/bin/.. = /usr), as in the kernel.
    expect(s.resolve('/bin/../bin/sh')).toBe('usr/bin/dash');
    expect(s.resolve('/bin/../usr/bin/sh')).toBe('usr/usr/bin/sh');
    expect(s.resolve('up/usr')).toBe('usr');
    expect(s.resolve('bin/missing/more')).toBe('usr/bin/missing/more');
    expect(() => s.resolve('self')).toThrow(/symlink loop/);
    expect(() => s.resolve('x/y')).toThrow(/symlink loop/);
    expect(s.get('bin/sh')?.path).toBe('usr/bin/sh');
    expect(s.get('bin/sh')?.type).toBe('symlink');
  });

  it('changesOf orders separate lists like layer.md: deletions before entries', () => {
    const s = stackOf(layer(0, 'd app', 'f app/a', 'f app/b'));
    s.applyLayer(1, changesOf<string>({ whiteouts: ['app/a'], opaques: ['app'] }, [{ kind: 'entry', path: 'app/a', type: 'file', value: 'new a' }]));
    expect(listing(s)).toEqual(['app dir L0:app', 'app/a file new a']);
  });
});
