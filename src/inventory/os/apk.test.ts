import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { distroScanner } from '../distro/scanner.js';
import { inventoryFromFiles } from '../from-files.js';
import { apkScanner, parseApkInstalled } from './apk.js';
import { inMemoryLayerId as layerId, inventoryFromLayers } from '../from-files.js';

const ALPINE = 'fixtures/syft/alpine';

/** EXPECTED.tsv rows (file → "name version arch origin"), derived from the DBs by an independent parser. */
function expectedByFile(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(sharedData(ALPINE, 'EXPECTED.tsv'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.startsWith('file\t') || line.trim() === '') continue;
    const [file, , name, version, extra] = line.split('\t');
    const arch = /arch=(\S+)/.exec(extra ?? '')?.[1];
    const origin = /origin=(\S+)/.exec(extra ?? '')?.[1];
    const key = (file as string).replace(/^alpine\//, '');
    out.set(key, [...(out.get(key) ?? []), `${name} ${version} ${arch} ${origin}`]);
  }
  return out;
}

const ALPINE_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME="Alpine Linux v3.18"\n';

describe('apk scanner on syft’s apk databases', () => {
  const expected = expectedByFile();

  it.each([...expected.keys()])('%s matches EXPECTED.tsv', async (file) => {
    const inv = await inventoryFromFiles([apkScanner], [{ path: 'lib/apk/db/installed', content: readFileSync(sharedData(ALPINE, file)) }]);
    const got = inv.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.source?.name}`).sort();
    expect(got).toEqual([...(expected.get(file) ?? [])].sort());
    if (file.includes('corrupt')) {
      expect(inv.skipped).toEqual([expect.objectContaining({ scanner: 'apk', reason: 'stanza at line 1: malformed line 1; stanza skipped' })]);
    } else {
      expect(inv.skipped).toEqual([]);
    }
  });

  it('a package in full: origin, commit, licence, owned files, Alpine purl', async () => {
    const inv = await inventoryFromFiles(
      [distroScanner, apkScanner],
      [
        { path: 'etc/os-release', content: ALPINE_OS_RELEASE },
        { path: 'lib/apk/db/installed', content: readFileSync(sharedData(ALPINE, 'testdata/single')) },
      ],
    );
    expect(inv.packages).toHaveLength(1);
    expect(inv.packages[0]).toMatchObject({
      name: 'musl-utils',
      version: '1.1.24-r2',
      ecosystem: 'Alpine:v3.18',
      kind: 'os',
      purl: 'pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64&distro=alpine-3.18.4&upstream=musl',
      source: { name: 'musl', version: '1.1.24-r2' },
      arch: 'x86_64',
      foundBy: 'apk',
      paths: ['lib/apk/db/installed'],
      licenses: ['MIT BSD GPL2+'],
      metadata: { commit: '4024cc3b29ad4c65544ad068b8f59172b5494306' },
    });
    expect(inv.packages[0]?.files).toEqual(
      expect.arrayContaining(['sbin/ldconfig', 'usr/bin/iconv', 'usr/bin/ldd', 'usr/bin/getconf', 'usr/bin/getent']),
    );
    expect(inv.packages[0]?.files).not.toContain('sbin');
  });

  it('files under F: directories, including deep ones with ACL lines between', () => {
    const records = parseApkInstalled(readFileSync(sharedData(ALPINE, 'testdata/extra-file-attributes'), 'utf8'), () => {});
    expect(records[0]?.files).toContain('usr/lib/jvm/java-1.8-openjdk/bin/policytool');
  });

  it('provenance: an upgrade in a later layer, a package kept from the base', async () => {
    const db = (...pkgs: [string, string][]) => pkgs.map(([p, v]) => `P:${p}\nV:${v}\nA:x86_64\no:${p}\n`).join('\n');
    const inv = await inventoryFromLayers(
      [apkScanner],
      [
        [{ path: 'lib/apk/db/installed', content: db(['musl', '1.2.4-r1'], ['busybox', '1.36.1-r5']) }],
        [{ path: 'lib/apk/db/installed', content: db(['musl', '1.2.4-r2'], ['busybox', '1.36.1-r5'], ['curl', '8.5.0-r0']) }],
      ],
    );
    expect(Object.fromEntries(inv.packages.map((p) => [`${p.name}@${p.version}`, p.layer]))).toEqual({
      'musl@1.2.4-r2': layerId(1),
      'busybox@1.36.1-r5': layerId(0),
      'curl@8.5.0-r0': layerId(1),
    });
  });

  it('apk-tools 3 location and no duplicate when /lib is a symlink to /usr/lib', async () => {
    const content = 'P:zlib\nV:1.3.1-r0\nA:aarch64\no:zlib\n';
    const inv = await inventoryFromLayers([apkScanner], [[{ path: 'lib', link: 'usr/lib' }, { path: 'usr/lib/apk/db/installed', content }]]);
    expect(inv.packages.map((p) => `${p.name} ${p.paths.join()}`)).toEqual(['zlib usr/lib/apk/db/installed']);
  });
});
