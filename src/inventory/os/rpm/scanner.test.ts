import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Package } from '../../../core/package.js';
import { sharedData } from '../../../../test/support/paths.js';
import { distroScanner } from '../../distro/scanner.js';
import { inventoryFromFiles } from '../../from-files.js';
import { inMemoryLayerId as layerId, inventoryFromLayers } from '../../from-files.js';
import { rpmScanner } from './scanner.js';

const GO_RPMDB = 'fixtures/go-rpmdb';

function tsv(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  const cols = (header as string).split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i] as string, v])));
}

async function scan(dbPath: string, content: Buffer, osRelease?: string) {
  const files = [{ path: dbPath, content }];
  if (osRelease) files.push({ path: 'etc/os-release', content: Buffer.from(osRelease) });
  return inventoryFromFiles([distroScanner, rpmScanner], files);
}

const none = (v: string | undefined) => (v === undefined || v === '' || v === '(none)' ? undefined : v);

/** name, EVR (epoch only when the header has one), arch, source RPM, licence, vendor, size: one line per package. */
function describePackage(p: Package): string {
  const m = p.metadata ?? {};
  return [p.name, p.version, p.arch, m.sourceRpm, p.licenses?.join('|'), m.vendor, m.size].join('\t');
}

function expectedLine(r: Record<string, string>, epoch: string | undefined): string {
  const evr = `${epoch !== undefined ? `${epoch}:` : ''}${r.version}-${r.release}`;
  return [r.name, evr, r.arch, none(r.sourcerpm), none(r.license), none(r.vendor), Number(r.size)].join('\t');
}

describe('rpm scanner: the three rpmdb formats against rpm’s own listing', () => {
  it('Berkeley DB (RHEL 8 libuuid): equals rpm -qa and go-rpmdb’s expectation', async () => {
    const inv = await scan('var/lib/rpm/Packages', readFileSync(sharedData(GO_RPMDB, 'libuuid/Packages')));
    expect(inv.skipped).toEqual([]);
    const expected = tsv(sharedData(GO_RPMDB, 'libuuid/expected-upstream.tsv')).map((r) => expectedLine(r, none(r.epoch)));
    expect(inv.packages.map(describePackage)).toEqual(expected);
    expect(inv.packages[0]).toMatchObject({ source: { name: 'util-linux', version: '2.32.1-42.el8_8' }, foundBy: 'rpm', kind: 'os' });
    expect(inv.packages[0]?.files).toEqual(expect.arrayContaining(['usr/lib64/libuuid.so.1', 'usr/lib64/libuuid.so.1.3.0']));
  });

  it('NDB (SLE 15 BCI): all 35 packages of go-rpmdb’s expectation', async () => {
    const osRelease = 'NAME="SLES"\nVERSION="15-SP3"\nVERSION_ID="15.3"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP3"\nID="sles"\n';
    const inv = await scan('usr/lib/sysimage/rpm/Packages.db', readFileSync(sharedData(GO_RPMDB, 'sle15-bci/Packages.db')), osRelease);
    expect(inv.skipped).toEqual([]);
    const rows = tsv(sharedData(GO_RPMDB, 'sle15-bci/expected-upstream.tsv'));
    expect(rows).toHaveLength(35);
    expect(inv.packages.map(describePackage).sort()).toEqual(rows.map((r) => expectedLine(r, none(r.epoch))).sort());
    const glibc = inv.packages.find((p) => p.name === 'glibc');
    expect(glibc).toMatchObject({
      ecosystem: 'SUSE:Linux Enterprise Server 15 SP3',
      purl: 'pkg:rpm/suse/glibc@2.31-9.3.2?arch=x86_64&distro=sles-15.3',
      source: { name: 'glibc', version: '2.31-9.3.2' },
    });
  });

  it('SQLite (CBL-Mariner 2.0): all 129 packages as Debian’s rpm 4.18 lists them', async () => {
    const osRelease = 'NAME="Common Base Linux Mariner"\nVERSION="2.0.20220226"\nID=mariner\nVERSION_ID="2.0"\nPRETTY_NAME="CBL-Mariner/Linux"\n';
    const inv = await scan('var/lib/rpm/rpmdb.sqlite', readFileSync(sharedData(GO_RPMDB, 'cbl-mariner-2.0/rpmdb.sqlite')), osRelease);
    expect(inv.skipped).toEqual([]);
    const rows = tsv(sharedData(GO_RPMDB, 'cbl-mariner-2.0/expected-rpm-qa-derived.tsv'));
    expect(rows).toHaveLength(129);
    // rpm prints EPOCHNUM 0 for "no epoch": compare epochs numerically.
    const got = inv.packages.map((p) => [p.name, Number(p.metadata?.epoch ?? 0), p.version.replace(/^\d+:/, ''), p.arch, p.metadata?.sourceRpm, p.licenses?.[0], p.metadata?.vendor, p.metadata?.size].join('\t'));
    const want = rows.map((r) => [r.name, Number(r.epochnum), `${r.version}-${r.release}`, r.arch, r.sourcerpm, r.license, r.vendor, Number(r.size)].join('\t'));
    expect(got.sort()).toEqual(want.sort());
    const curl = tsv(sharedData(GO_RPMDB, 'cbl-mariner-2.0/expected-curl-upstream.tsv'))[0] as Record<string, string>;
    expect(inv.packages.find((p) => p.name === 'curl')).toMatchObject({
      version: `${curl.version}-${curl.release}`,
      ecosystem: 'Mariner:2.0',
      purl: 'pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=mariner-2.0',
      source: { name: 'curl', version: '7.76.0-6.cm2' },
    });
  });

  it('Berkeley DB from syft (dive) and CBL-Mariner’s distroless container-manifest-2', async () => {
    const dive = await scan('var/lib/rpm/Packages', readFileSync(sharedData('fixtures/syft/redhat/testdata/Packages')));
    expect(dive.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.source?.name}`)).toEqual(['dive 0.9.2-1 x86_64 dive']);
    const manifest = await scan('var/lib/rpmmanifest/container-manifest-2', readFileSync(sharedData('fixtures/syft/redhat/testdata/container-manifest-2')));
    expect(manifest.skipped).toEqual([]);
    expect(manifest.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.source?.name} ${p.source?.version}`)).toEqual([
      'mariner-release 2.0-12.cm2 noarch mariner-release 2.0-12.cm2',
      'filesystem 1.1-9.cm2 x86_64 filesystem 1.1-9.cm2',
      'glibc 2.35-2.cm2 x86_64 glibc 2.35-2.cm2',
      'openssl-libs 1.1.1k-15.cm2 x86_64 openssl 1.1.1k-15.cm2',
      'vim 2:9.0-1.cm2 x86_64 vim 2:9.0-1.cm2',
    ]);
  });

  describe.skipIf(!process.env.STRATA_TEST_RPMDB)('SQLite rpmdb built here with rpm 4.18 (build-rpmdb.sh)', () => {
    const dir = process.env.STRATA_TEST_RPMDB ?? '';
    it('every field of expected-rpm-qa-full.tsv, owned files of files.tsv, modular and epoch packages', async () => {
      const osRelease = 'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="8.9"\nPRETTY_NAME="Rocky Linux 8.9 (Green Obsidian)"\n';
      const inv = await scan('var/lib/rpm/rpmdb.sqlite', readFileSync(path.join(dir, 'sqlite/rpmdb.sqlite')), osRelease);
      expect(inv.skipped).toEqual([]);
      const rows = tsv(path.join(dir, 'expected-rpm-qa-full.tsv'));
      const got = inv.packages.map((p) => [describePackage(p), p.metadata?.modularityLabel ?? '(none)'].join('\t')).sort();
      const want = rows.map((r) => [expectedLine(r, none(r.epoch)), r.modularitylabel].join('\t')).sort();
      expect(got).toEqual(want);

      const files = readFileSync(path.join(dir, 'files.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
      for (const p of inv.packages) {
        expect(p.files, p.name).toEqual(files.filter(([n]) => n === p.name).map(([, f]) => (f as string).slice(1)));
      }

      const byName = Object.fromEntries(inv.packages.map((p) => [p.name, p]));
      expect(byName['openssl-libs']).toMatchObject({
        version: '1:1.1.1k-7.el8_6',
        ecosystem: 'Rocky Linux:8',
        source: { name: 'openssl', version: '1:1.1.1k-7.el8_6' },
        purl: 'pkg:rpm/rocky/openssl-libs@1.1.1k-7.el8_6?arch=x86_64&distro=rocky-8.9&epoch=1&upstream=openssl',
        metadata: { epoch: 1, release: '7.el8_6' },
      });
      expect(byName['python3-requests']?.source).toEqual({ name: 'python-requests', version: '2.20.0-2.1.el8_1' });
      expect(byName.nodejs?.metadata?.modularityLabel).toBe('nodejs:18:8070020230306170042:ad008a3a');
    });
  });
});

describe('rpm scanner: choosing the database and its layer', () => {
  const sqlite = () => readFileSync(sharedData(GO_RPMDB, 'cbl-mariner-2.0/rpmdb.sqlite'));
  const bdb = () => readFileSync(sharedData(GO_RPMDB, 'libuuid/Packages'));

  it('var/lib/rpm as a symlink to usr/lib/sysimage/rpm (Fedora, openSUSE): read once', async () => {
    const inv = await inventoryFromLayers(
      [rpmScanner],
      [[{ path: 'var/lib/rpm', link: '../../usr/lib/sysimage/rpm' }, { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: sqlite() }]],
    );
    expect(inv.packages).toHaveLength(129);
    expect(new Set(inv.packages.map((p) => p.paths.join()))).toEqual(new Set(['usr/lib/sysimage/rpm/rpmdb.sqlite']));
  });

  it('rpmdb.sqlite wins over a leftover Packages in the same directory', async () => {
    const inv = await inventoryFromFiles([rpmScanner], [
      { path: 'var/lib/rpm/Packages', content: bdb() },
      { path: 'var/lib/rpm/rpmdb.sqlite', content: sqlite() },
    ]);
    expect(inv.packages).toHaveLength(129);
    expect(inv.packages.some((p) => p.name === 'libuuid')).toBe(false);
  });

  it('provenance across layers: the base layer’s packages keep layer 0, a new database adds the rest', async () => {
    const inv = await inventoryFromLayers(
      [rpmScanner],
      [[{ path: 'var/lib/rpm/Packages', content: bdb() }], [{ path: 'var/lib/rpm/Packages', content: bdb() }, { path: 'etc/x', content: 'y' }]],
    );
    expect(inv.packages.map((p) => [p.name, p.layer])).toEqual([['libuuid', layerId(0)]]);
  });

  it('a file that is no rpm database is skipped with a clear reason', async () => {
    const inv = await inventoryFromFiles([rpmScanner], [{ path: 'var/lib/rpm/Packages', content: 'hello world, not a database'.repeat(40) }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toEqual([
      {
        scanner: 'rpm',
        path: 'var/lib/rpm/Packages',
        layer: 'sha256:in-memory',
        reason: 'not an rpm database (neither SQLite, NDB nor Berkeley DB hash)',
        incomplete: true,
      },
    ]);
  });
});
