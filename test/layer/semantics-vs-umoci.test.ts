/**
 * Layer semantics against a real extractor: hand-made layers covering
 * whiteouts, opaque directories, symlinked parents, hard links, type changes
 * and modes are stacked by listImageFiles and by `umoci unpack`; both must
 * produce the same file system.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../src/core/errors.js';
import { openOciLayout } from '../../src/image/oci-layout.js';
import { listImageFiles } from '../../src/layer/index.js';
import { packTar, writeOciLayout, type PackEntry } from '../../src/layer/testing/fixtures.js';
import { strataListing, umociListing } from './umoci.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-layer-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dir = (name: string, mode = 0o755): PackEntry => ({ name, type: 'directory', mode });
const file = (name: string, content: string, mode = 0o644): PackEntry => ({ name, content, mode });

const LAYERS: PackEntry[][] = [
  [
    dir('./'),
    dir('./etc/'),
    file('./etc/motd', 'welcome\n'),
    file('./etc/issue', 'Debian 12\n'),
    file('./etc/keep', 'keep\n'),
    dir('./usr/'),
    dir('./usr/lib/'),
    file('./usr/lib/libc.so', 'libc'),
    dir('./usr/bin/'),
    file('./usr/bin/perl', 'perl 5.36', 0o755),
    { name: './usr/bin/perl5.36.0', type: 'link', linkname: './usr/bin/perl' },
    file('./usr/bin/su', 'su', 0o4755),
    { name: './lib', type: 'symlink', linkname: 'usr/lib' },
    { name: './bin', type: 'symlink', linkname: '/usr/bin' },
    dir('./opt/'),
    dir('./opt/app/'),
    file('./opt/app/package.json', '{"version":"1.0.0"}'),
    file('./opt/app/OLD.txt', 'old'),
    dir('./opt/app/lib/'),
    file('./opt/app/lib/x.js', 'x'),
    dir('./var/'),
    dir('./var/cache/'),
    file('./var/cache/thing', 'thing'),
    dir('./home/'),
    dir('./home/user/', 0o700),
    file('./home/user/.profile', 'PATH=/bin'),
    dir('./srv/'),
    file('./srv/data', 'a file for now'),
    dir('./tmp/', 0o1777),
    file('./implied/deep/file.txt', 'no parent entries'),
  ],
  [
    dir('./etc/'),
    file('./etc/.wh.motd', ''),
    file('./etc/issue', 'Debian GNU/Linux 12 (bookworm)\n'),
    file('./lib/libextra.so', 'extra'), // lands in usr/lib through the symlink
    file('./bin/tool', 'tool', 0o700), // through an absolute symlink
    dir('./opt/app/'),
    file('./opt/app/.wh..wh..opq', ''),
    file('./opt/app/package.json', '{"version":"2.0.0"}'),
    file('./var/cache', 'a file replaces the directory'),
    dir('./srv/data/'),
    file('./srv/data/new.txt', 'a directory replaces the file'),
    file('./usr/bin/perl', 'perl 5.38, relinked', 0o755), // the old hard link keeps the old content
    dir('./home/user/', 0o750),
    dir('./usr/share/doc/curl/'),
    file('./usr/share/doc/curl/README', 'curl docs'),
  ],
  [
    file('./usr/lib/.wh.libc.so', ''),
    file('./lib/.wh.libextra.so', ''),
    file('./usr/share/doc/.wh.curl', ''),
    dir('./usr/share/doc/curl/'), // deleted and re-created in the same layer: only new children
    file('./usr/share/doc/curl/NEWS', 'news'),
    file('./opt/app/package.json', '{"version":"3.0.0"}'),
    file('./opt/app/.wh.package.json', ''), // same layer: does not delete the new file
  ],
];

describe('listImageFiles equals umoci unpack on hand-made layers', () => {
  it('whiteouts, opaque dirs, symlinked parents, hard links, type changes, modes', async () => {
    const layout = path.join(tmp, 'semantics');
    writeOciLayout(layout, await Promise.all(LAYERS.map(packTar)), 'test');
    const image = await openOciLayout(layout, { select: 'test' });
    try {
      const files = await listImageFiles(image);
      const ours = strataListing(files);
      expect(ours).toEqual(umociListing(layout, 'test'));
      // Spot checks that the comparison really covered the interesting cases.
      expect(files.get('usr/lib/libextra.so')).toBeUndefined();
      expect(files.get('usr/bin/tool')?.mode).toBe(0o700);
      expect(files.get('opt/app/OLD.txt')).toBeUndefined();
      expect(files.get('opt/app/package.json')?.size).toBe(19);
      expect(files.get('usr/bin/perl5.36.0')).toMatchObject({ type: 'hardlink', size: 9, linkTarget: 'usr/bin/perl' });
      expect(files.get('usr/bin/su')?.mode).toBe(0o4755);
      expect(files.get('var/cache')?.type).toBe('file');
      expect(files.get('var/cache/thing')).toBeUndefined();
      expect(files.get('srv/data/new.txt')?.type).toBe('file');
      expect(files.get('usr/share/doc/curl/NEWS')).toBeDefined();
      expect(files.get('usr/share/doc/curl/README')).toBeUndefined();
      expect(files.get('home/user/.profile')).toBeDefined();
      expect(files.get('implied/deep')?.mode).toBe(0o755);
    } finally {
      await image.close();
    }
  });

  it('a symlink loop under a path a later layer writes through is refused with the layer and path named', async () => {
    const layout = path.join(tmp, 'loop');
    const layers = [
      await packTar([{ name: 'a', type: 'symlink', linkname: 'b' }, { name: 'b', type: 'symlink', linkname: 'a/c' }]),
      await packTar([file('a/x/payload', 'boom')]),
    ];
    writeOciLayout(layout, layers, 'test');
    const image = await openOciLayout(layout, { select: 'test' });
    try {
      const err = await listImageFiles(image).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StrataError);
      expect((err as StrataError).code).toBe('unsafe');
      expect((err as StrataError).message).toContain(`layer ${image.layers[1]?.digest}`);
      expect((err as StrataError).message).toMatch(/path a\/x\/payload: symlink loop/);
    } finally {
      await image.close();
    }
  });
});
