/**
 * A small scan target with known findings for the CI-gate tests: a bookworm
 * root filesystem (dpkg status + two PyYAML dist-infos at different paths),
 * and a database built from the hand-written tracker entries
 * (test/match/tracker-fixture.ts) plus the real PyYAML records from the PyPI
 * all.zip, repacked into a small zip so the build takes a second.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { sharedData } from '../support/paths.js';
import { type InstalledPackage, trackerFixture } from '../match/tracker-fixture.js';

/** The rootfs's dpkg packages; the tracker entries' versions follow them (tracker-fixture.ts). */
export const INSTALLED: InstalledPackage[] = [
  { name: 'bash', version: '5.2.15-2+b13', source: 'bash', sourceVersion: '5.2.15-2' },
  { name: 'gzip', version: '1.12-1', source: 'gzip', sourceVersion: '1.12-1' },
  { name: 'sed', version: '4.9-1+deb12u1', source: 'sed', sourceVersion: '4.9-1+deb12u1' },
  { name: 'tar', version: '1.34+dfsg-1.2+deb12u1', source: 'tar', sourceVersion: '1.34+dfsg-1.2+deb12u1' },
  { name: 'coreutils', version: '9.1-1', source: 'coreutils', sourceVersion: '9.1-1' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' },
  { name: 'grep', version: '3.8-5', source: 'grep', sourceVersion: '3.8-5' },
];

function sourceField(p: InstalledPackage): string {
  if (p.source === p.name && p.sourceVersion === p.version) return '';
  return `Source: ${p.source}${p.sourceVersion === p.version ? '' : ` (${p.sourceVersion})`}\n`;
}

const DPKG_STATUS = INSTALLED.map(
  (p) => `Package: ${p.name}\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\n${sourceField(p)}Version: ${p.version}\nDescription: ${p.name}\n`,
).join('\n');

/**
 * The findings the target has with that database (from the tracker cases and
 * the PYSEC records' ranges): `id package severity status fixed`.
 */
export const GATE_FINDINGS = [
  'CVE-2099-1001 bash HIGH fixed 5.2.15-2+deb12u1',
  'CVE-2099-1002 gzip LOW affected -',
  'CVE-2099-1003 sed MEDIUM will_not_fix -',
  'CVE-2099-1004 tar UNKNOWN fix_deferred -',
  'DSA-9904-1 tar UNKNOWN fixed 1.34+dfsg-1.2+deb12u2',
  'CVE-2099-1007 coreutils UNKNOWN end_of_life -',
  'CVE-2099-1011 zlib1g UNKNOWN fixed 1:1.2.13.dfsg-1+deb12u1',
  'CVE-2020-14343 PyYAML UNKNOWN fixed 5.4', // 5.3.1 in usr/lib/python3/dist-packages
  'CVE-2020-14343 PyYAML UNKNOWN fixed 5.4', // 5.1 in opt/venv
  'CVE-2019-20477 PyYAML UNKNOWN fixed 5.2b1', // 5.1
  'CVE-2020-1747 PyYAML UNKNOWN fixed 5.3.1', // 5.1
].sort();

export const SYSTEM_PYYAML = 'usr/lib/python3/dist-packages/PyYAML-5.3.1.dist-info/METADATA';
export const VENV_PYYAML = 'opt/venv/lib/python3.11/site-packages/PyYAML-5.1.dist-info/METADATA';

export function writeGateRootfs(dir: string): string {
  const put = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  put('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n');
  put('etc/debian_version', '12.5\n');
  put('var/lib/dpkg/status', DPKG_STATUS);
  put(SYSTEM_PYYAML, 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\n');
  put(VENV_PYYAML, 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.1\n');
  return dir;
}

/** Feed inputs for the gate database: the tracker fixture and a zip of the four real PyYAML PYSEC records. */
export function writeGateFeeds(dir: string): string {
  trackerFixture(INSTALLED).write(path.join(dir, 'tracker'));
  const all = unzipSync(readFileSync(sharedData('vulns', 'osv', 'PyPI', 'all.zip')), {
    filter: (f) => ['PYSEC-2018-49.json', 'PYSEC-2020-176.json', 'PYSEC-2020-96.json', 'PYSEC-2021-142.json'].includes(f.name),
  });
  if (Object.keys(all).length !== 4) throw new Error('PyYAML records missing from the PyPI all.zip');
  mkdirSync(path.join(dir, 'pypi'), { recursive: true });
  writeFileSync(path.join(dir, 'pypi', 'all.zip'), zipSync(all));
  return dir;
}
