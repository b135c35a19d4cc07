import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { parseDebianCopyright } from './dpkg-copyright.js';
import { type DpkgRecord, parseDpkgList, parseDpkgMd5sums, parseDpkgStatus } from './dpkg-status.js';

const DEBIAN = 'fixtures/syft/debian/testdata';

function parseFixture(rel: string, requireStatus: boolean): { records: DpkgRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const records = parseDpkgStatus(readFileSync(sharedData(DEBIAN, rel), 'utf8'), { requireStatus, warn: (w) => warnings.push(w) });
  return { records, warnings };
}

const brief = (r: DpkgRecord) => [r.name, r.version, r.source ?? '', r.sourceVersion ?? '', r.arch ?? ''].join(' ');

describe('parseDpkgStatus on syft’s dpkg fixtures', () => {
  it('status: skips the leading empty Package stanza with a warning', () => {
    const { records, warnings } = parseFixture('image-dpkg/var/lib/dpkg/status', true);
    expect(records.map(brief)).toEqual(['libpam-runtime 1.1.8-3.6 pam  all']);
    expect(warnings).toEqual(['stanza at line 1: no package name; stanza skipped']);
  });

  it('status.d/coreutils-relationships: every stanza, Source with and without a version', () => {
    const { records, warnings } = parseFixture('var/lib/dpkg/status.d/coreutils-relationships', false);
    expect(warnings).toEqual([]);
    expect(records.map(brief)).toEqual([
      'coreutils 9.1-1   arm64',
      'libacl1 2.3.1-3 acl  arm64',
      'libc6 2.36-9+deb12u1 glibc  arm64',
      'libgcc-s1 12.2.0-14 gcc-12  arm64',
      'gcc-12-base 12.2.0-14 gcc-12  arm64',
      'libattr1 1:2.5.1-4 attr  arm64',
      'libgmp10 2:6.2.1+dfsg1-1.1 gmp  arm64',
      'libselinux1 3.4-1+b6 libselinux 3.4-1 arm64',
      'libpcre2-8-0 10.42-1 pcre2  arm64',
    ]);
  });

  it('status.d/deinstall: config-files packages are not installed', () => {
    const { records } = parseFixture('var/lib/dpkg/status.d/deinstall', false);
    expect(records.map(brief)).toEqual(['linux-image-6.14.0-1012-aws 6.14.0-1012.12~24.04.1 linux-signed-aws-6.14  amd64']);
  });

  it('status.d/corrupt: nothing, and a warning naming the line', () => {
    const { records, warnings } = parseFixture('var/lib/dpkg/status.d/corrupt', false);
    expect(records).toEqual([]);
    expect(warnings).toEqual(['stanza at line 1: malformed line 5; stanza skipped']);
  });

  it('status.d/multiple: bare Package stanzas are dependency names, not packages', () => {
    const { records, warnings } = parseFixture('var/lib/dpkg/status.d/multiple', false);
    expect(records.map(brief)).toEqual(['tzdata 2020a-0+deb10u1 tzdata-dev  all', 'util-linux 2.33.1-0.1   amd64']);
    expect(warnings).toEqual(['stanza at line 1: no package name; stanza skipped']);
  });

  it('status.d/single, installed-size-4KB, libpam-runtime, empty', () => {
    expect(parseFixture('var/lib/dpkg/status.d/single', false).records.map(brief)).toEqual(['apt 1.8.2 apt-dev  amd64']);
    expect(parseFixture('var/lib/dpkg/status.d/installed-size-4KB', false).records.map(brief)).toEqual(['apt 1.8.2 apt-dev  amd64']);
    expect(parseFixture('var/lib/dpkg/status.d/libpam-runtime', false).records.map(brief)).toEqual(['libpam-runtime 1.5.2-6+deb12u1 pam  all']);
    const empty = parseFixture('var/lib/dpkg/status.d/empty', false);
    expect(empty.records).toEqual([]);
    expect(empty.warnings).toHaveLength(1);
  });

  it('distroless status.d stanza without Status counts as installed', () => {
    const { records } = parseFixture('image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0', false);
    expect(records.map(brief)).toEqual(['libsqlite3-0 3.34.1-3 sqlite3  arm64']);
  });

  it('the main status file requires Status, so the same stanza is not a package there', () => {
    const { records, warnings } = parseFixture('image-distroless-deb/var/lib/dpkg/status.d/libsqlite3-0', true);
    expect(records).toEqual([]);
    expect(warnings[0]).toContain('no Status field');
  });

  it('installed states: half-installed and not-installed out; unpacked, half-configured, triggers-pending in', () => {
    const stanza = (name: string, status: string) => `Package: ${name}\nStatus: ${status}\nVersion: 1.0\nArchitecture: amd64\n`;
    const text = [
      stanza('a', 'install ok installed'),
      stanza('b', 'hold ok installed'),
      stanza('c', 'deinstall ok installed'),
      stanza('d', 'install reinstreq half-installed'),
      stanza('e', 'purge ok not-installed'),
      stanza('f', 'install ok unpacked'),
      stanza('g', 'install ok half-configured'),
      stanza('h', 'install ok triggers-pending'),
      stanza('i', 'deinstall ok config-files'),
    ].join('\n');
    expect(parseDpkgStatus(text, { requireStatus: true, warn: () => {} }).map((r) => r.name)).toEqual(['a', 'b', 'c', 'f', 'g', 'h']);
  });

  it('survives CRLF, a stanza garbled in the middle, continuation lines and a file cut mid-stanza', () => {
    const warnings: string[] = [];
    const text = [
      'Package: good1\r\nStatus: install ok installed\r\nVersion: 1\r\nDescription: x\r\n  more\r\n .\r\n',
      'Package: bad\nStatus: install ok installed\nVersion: 2\nthis line has no colon\n',
      'Package: good2\nStatus: install ok installed\nSource: src (9)\nVersion: 3',
    ].join('\n');
    const records = parseDpkgStatus(text, { requireStatus: true, warn: (w) => warnings.push(w) });
    expect(records.map(brief)).toEqual(['good1 1   ', 'good2 3 src 9 ']);
    expect(warnings).toEqual(['stanza "bad" at line 8: malformed line 11; stanza skipped']);
  });
});

describe('dpkg file lists and copyright', () => {
  it('.list: leading slashes dropped, directories that contain listed paths left out', () => {
    const list = '/.\n/usr\n/usr/bin\n/usr/bin/tool\n/usr/share\n/usr/share/doc\n/usr/share/doc/pkg\n/usr/share/doc/pkg/copyright\n/etc/empty-dir\n';
    expect(parseDpkgList(list)).toEqual(['usr/bin/tool', 'usr/share/doc/pkg/copyright', 'etc/empty-dir']);
  });

  it('.md5sums: the paths, spaces in names kept', () => {
    const text = readFileSync(sharedData(DEBIAN, 'info/zlib1g.md5sums'), 'utf8');
    const files = parseDpkgMd5sums(text);
    expect(files[0]).toBe('lib/x86_64-linux-gnu/libz.so.1.2.11');
    expect(files).toContain('usr/share/doc/zlib1g/changelog.Debian.gz');
    expect(parseDpkgMd5sums('d41d8cd98f00b204e9800998ecf8427e  usr/share/a file with spaces\n')).toEqual(['usr/share/a file with spaces']);
  });

  it.each([
    ['copyright/libc6', ['LGPL-2.1', 'GPL-2']],
    ['copyright/libaudit-common', ['GPL-2', 'LGPL-2.1']],
    ['copyright/trilicense', ['MPL-1.1 or GPL-2 or LGPL-2.1', 'MPL-1.1', 'GPL-2', 'LGPL-2.1']],
    [
      'copyright/liblzma5',
      ['PD', 'probably-PD', 'GPL-2+', 'LGPL-2.1+', 'permissive-fsf', 'Autoconf', 'GPL-2', 'none', 'permissive-nowarranty', 'config-h', 'noderivs', 'PD-debian'],
    ],
    ['copyright/python', ['Expat', 'PSF-2', 'Apache-2', 'Apache-2.0', 'Python', 'ISC', 'Apache', 'LGPL-2.1+']],
    ['copyright/cuda', []],
  ])('licences of %s', (rel, expected) => {
    expect(parseDebianCopyright(readFileSync(sharedData(DEBIAN, rel), 'utf8'))).toEqual(expected);
  });
});

describe('parseDpkgStatus agrees with dpkg-query on this machine', () => {
  const status = '/var/lib/dpkg/status';
  const hasDpkg = existsSync(status) && existsSync('/usr/bin/dpkg-query');
  it.skipIf(!hasDpkg)('same name, version, source, source version, arch for every installed package', () => {
    const expected = execFileSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}\n'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((l) => /^.[iUFWt]/.test(l))
      .map((l) => l.split('\t').slice(1).join('\t'))
      .sort();
    const warnings: string[] = [];
    const got = parseDpkgStatus(readFileSync(status, 'utf8'), { requireStatus: true, warn: (w) => warnings.push(w) })
      .map((r) => [r.name, r.version, r.source ?? r.name, r.sourceVersion ?? r.version, r.arch ?? ''].join('\t'))
      .sort();
    expect(warnings).toEqual([]);
    expect(got.length).toBeGreaterThan(50);
    expect(got).toEqual(expected);
  });
});
