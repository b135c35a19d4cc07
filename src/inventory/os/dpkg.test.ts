import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { distroScanner } from '../distro/scanner.js';
import { inventoryFromFiles } from '../from-files.js';
import { dpkgScanner } from './dpkg.js';
import { inMemoryLayerId as layerId, inventoryFromLayers } from '../from-files.js';

const DEBIAN = 'fixtures/syft/debian/testdata';
const fixture = (rel: string) => readFileSync(sharedData(DEBIAN, rel));
const scanners = [distroScanner, dpkgScanner];

const stanza = (name: string, version: string, extra = '') =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}Description: test\n  package\n`;
const status = (...stanzas: string[]) => stanzas.join('\n');

describe('dpkg scanner', () => {
  it('distroless image: status.d stanza, its md5sums as owned files, licences, Debian 12 purl', async () => {
    const inv = await inventoryFromFiles(scanners, [
      { path: 'etc/os-release', content: fixture('image-dpkg/etc/os-release') },
      { path: 'var/lib/dpkg/status.d/libsqlite3-0', content: fixture('image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0') },
      { path: 'var/lib/dpkg/status.d/libsqlite3-0.md5sums', content: fixture('image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0.md5sums') },
      { path: 'usr/share/doc/libsqlite3-0/copyright', content: fixture('image-distroless-deb/usr/share/doc/libsqlite3-0/copyright') },
    ]);
    expect(inv.skipped).toEqual([]);
    expect(inv.packages).toHaveLength(1);
    const [pkg] = inv.packages;
    expect(pkg).toMatchObject({
      name: 'libsqlite3-0',
      version: '3.34.1-3',
      ecosystem: 'Debian:12',
      kind: 'os',
      purl: 'pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64&distro=debian-12&upstream=sqlite3',
      source: { name: 'sqlite3', version: '3.34.1-3' },
      arch: 'arm64',
      layer: 'sha256:in-memory',
      paths: ['var/lib/dpkg/status.d/libsqlite3-0'],
      foundBy: 'dpkg',
    });
    expect(pkg?.files).toContain('usr/lib/aarch64-linux-gnu/libsqlite3.so.0.8.6');
    expect(pkg?.licenses?.length).toBeGreaterThan(0);
  });

  it('status file: skipped stanza reported, owned files from info md5sums, licences from copyright', async () => {
    const inv = await inventoryFromFiles(scanners, [
      { path: 'var/lib/dpkg/status', content: fixture('image-dpkg/var/lib/dpkg/status') },
      { path: 'var/lib/dpkg/info/libpam-runtime.md5sums', content: fixture('image-dpkg/var/lib/dpkg/info/libpam-runtime.md5sums') },
      { path: 'usr/share/doc/libpam-runtime/copyright', content: fixture('image-dpkg/usr/share/doc/libpam-runtime/copyright') },
    ]);
    expect(inv.packages.map((p) => `${p.name} ${p.version} ${p.source?.name} ${p.arch}`)).toEqual(['libpam-runtime 1.1.8-3.6 pam all']);
    // No distro detected: the family's ecosystem without a release, no distro qualifier.
    expect(inv.packages[0]?.ecosystem).toBe('Debian');
    expect(inv.packages[0]?.purl).toBe('pkg:deb/libpam-runtime@1.1.8-3.6?arch=all&upstream=pam');
    // (syft's fixture md5sums file really lists zlib1g's files; what matters is that it is read)
    expect(inv.packages[0]?.files).toEqual([
      'lib/x86_64-linux-gnu/libz.so.1.2.11',
      'usr/share/doc/zlib1g/changelog.Debian.gz',
      'usr/share/doc/zlib1g/changelog.gz',
      'usr/share/doc/zlib1g/copyright',
    ]);
    expect(inv.packages[0]?.licenses).toEqual(['GPL-2', 'LGPL-2.1']);
    expect(inv.skipped).toEqual([
      { scanner: 'dpkg', path: 'var/lib/dpkg/status', layer: 'sha256:in-memory', reason: 'stanza at line 1: no package name; stanza skipped' },
    ]);
  });

  it('corrupt and deinstall status.d files: the installed package survives, the garbage is reported', async () => {
    const inv = await inventoryFromFiles(scanners, [
      { path: 'var/lib/dpkg/status.d/corrupt', content: fixture('var/lib/dpkg/status.d/corrupt') },
      { path: 'var/lib/dpkg/status.d/deinstall', content: fixture('var/lib/dpkg/status.d/deinstall') },
    ]);
    expect(inv.packages.map((p) => p.name)).toEqual(['linux-image-6.14.0-1012-aws']);
    expect(inv.skipped).toHaveLength(1);
    expect(inv.skipped[0]?.path).toBe('var/lib/dpkg/status.d/corrupt');
    expect(inv.skipped[0]?.reason).toBe('stanza at line 1: malformed line 5; stanza skipped');
  });

  it('multiarch: libc6:amd64.list and libc6:i386.list go to their own package', async () => {
    const text = status(
      stanza('libc6', '2.36-9', 'Multi-Arch: same\nSource: glibc\n'),
      stanza('libc6', '2.36-9', 'Multi-Arch: same\nSource: glibc\n').replace('amd64', 'i386'),
      stanza('bash', '5.2.15-2+b2', 'Source: bash (5.2.15-2)\n'),
    );
    const inv = await inventoryFromFiles(scanners, [
      { path: 'var/lib/dpkg/status', content: text },
      { path: 'var/lib/dpkg/info/libc6:amd64.list', content: '/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n' },
      { path: 'var/lib/dpkg/info/libc6:i386.list', content: '/.\n/lib\n/lib/i386-linux-gnu\n/lib/i386-linux-gnu/libc.so.6\n' },
      { path: 'var/lib/dpkg/info/bash.list', content: '/.\n/bin\n/bin/bash\n' },
    ]);
    const byArch = Object.fromEntries(inv.packages.map((p) => [`${p.name}:${p.arch}`, p]));
    expect(byArch['libc6:amd64']?.files).toEqual(['lib/x86_64-linux-gnu/libc.so.6']);
    expect(byArch['libc6:i386']?.files).toEqual(['lib/i386-linux-gnu/libc.so.6']);
    // binNMU: the binary version keeps +b2, the source version is the real one.
    expect(byArch['bash:amd64']).toMatchObject({ version: '5.2.15-2+b2', source: { name: 'bash', version: '5.2.15-2' }, files: ['bin/bash'] });
  });

  it('provenance: the first layer whose status lists the package at this version', async () => {
    const inv = await inventoryFromLayers(scanners, [
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1'), stanza('b', '1'), stanza('old', '1')) }],
      // b upgraded, c added, old purged
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1'), stanza('b', '2'), stanza('c', '1')) }],
      // a layer that does not touch dpkg
      [{ path: 'etc/motd', content: 'hi' }],
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1'), stanza('b', '2'), stanza('c', '1'), stanza('d', '1')) }],
    ]);
    const layerOf = Object.fromEntries(inv.packages.map((p) => [`${p.name}@${p.version}`, p.layer]));
    expect(layerOf).toEqual({ 'a@1': layerId(0), 'b@2': layerId(1), 'c@1': layerId(1), 'd@1': layerId(3) });
  });

  it('provenance: a package removed and installed again comes from the layer that put it back', async () => {
    const inv = await inventoryFromLayers(scanners, [
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1'), stanza('b', '1')) }],
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1')) }],
      [{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1'), stanza('b', '1')) }],
    ]);
    expect(Object.fromEntries(inv.packages.map((p) => [p.name, p.layer]))).toEqual({ a: layerId(0), b: layerId(2) });
  });

  it('a whiteout of the status file removes every package; of one .list, only that package’s files', async () => {
    const gone = await inventoryFromLayers(scanners, [[{ path: 'var/lib/dpkg/status', content: status(stanza('a', '1')) }], [{ whiteout: 'var/lib/dpkg/status' }]]);
    expect(gone.packages).toEqual([]);
    const partial = await inventoryFromLayers(scanners, [
      [
        { path: 'var/lib/dpkg/status', content: status(stanza('a', '1')) },
        { path: 'var/lib/dpkg/info/a.list', content: '/usr/bin/a\n' },
      ],
      [{ whiteout: 'var/lib/dpkg/info/a.list' }],
    ]);
    expect(partial.packages.map((p) => [p.name, p.files])).toEqual([['a', undefined]]);
  });

  it('a status file over the size cap is skipped with a message, not read', () => {
    expect(dpkgScanner.maxBytes).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    expect(dpkgScanner.wants('var/lib/dpkg/status', { path: 'var/lib/dpkg/status', type: 'file', mode: 0o644, size: 1 })).toBe(true);
    for (const path of ['var/lib/dpkg/status-old', 'var/lib/dpkg/info/x.postinst', 'var/lib/dpkg/info/sub/x.list', 'usr/share/doc/x/y/copyright', 'usr/share/doc/copyright']) {
      expect(dpkgScanner.wants(path, { path, type: 'file', mode: 0o644, size: 1 })).toBe(false);
    }
  });
});
