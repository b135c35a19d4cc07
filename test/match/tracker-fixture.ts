/**
 * Hand-written Debian security tracker data for the packages of the Debian
 * test image (bookworm), in the published formats (../shared/data/vulns/SOURCES.md):
 * `CVE/list` and `DSA/list` as in the tracker's git repository, and a
 * bookworm OVAL file shaped like Debian's. Every entry exercises one tracker
 * state or one precedence rule of src/match/matcher.ts; the expected
 * findings per entry are written next to it (TRACKER_CASES) from the
 * formats' documented meaning, not from Strata's output.
 *
 * The versions in the entries are derived from the versions installed in
 * the target (the image's own `dpkg-query.tsv`, or the gate test's rootfs),
 * never written for one day's Debian mirror: "a point release above the
 * installed version", "the installed version itself". A bookworm update of
 * any of these packages then changes the entries, not the expectations.
 *
 * The CVE ids are in 2099 so they can never collide with real records.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a user should see for one vulnerability on the target. */
export interface TrackerCase {
  id: string;
  /** Source package the entry names. */
  source: string;
  /** What the entry says and why the expectation follows. */
  why: string;
  /** undefined = no finding for any binary of `source`. */
  expect?: { status: string; fixedVersion: string | null; severity?: string; trackerState?: string; aliases?: string[] };
}

/** One installed binary package: as the columns of the image's `dpkg-query.tsv`. */
export interface InstalledPackage {
  name: string;
  version: string;
  source: string;
  sourceVersion: string;
}

/** The rows of a `dpkg-query.tsv` (`name version source source-version arch`). */
export function readDpkgQueryTsv(text: string): InstalledPackage[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name = '', version = '', source = '', sourceVersion = ''] = l.split('\t');
      return { name, version, source, sourceVersion };
    });
}

/** The next stable point release of a Debian version: `+deb12u3` → `+deb12u4` (`~deb12uN` likewise), else `+deb12u1` appended. */
function nextPointRelease(version: string): string {
  const m = /^(.*[+~]deb\d+u)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}+deb12u1`;
}

function withoutEpoch(version: string): string {
  return version.replace(/^\d+:/, '');
}

/** A version for sources the target does not have (the gate rootfs has only a few packages). */
const ABSENT = '1.0-1';

/**
 * The source packages the entries speak of. `binNmu` is the one whose
 * binaries are binNMUs (`+bN`, N >= 2) of their source version: the image's
 * e2fsprogs today, another such source tomorrow.
 */
function sourcesOf(installed: readonly InstalledPackage[]) {
  const version = (source: string) => installed.find((p) => p.source === source)?.sourceVersion ?? ABSENT;
  const binNmuOf = (p: InstalledPackage) => {
    const m = /^(.*)\+b(\d+)$/.exec(p.version);
    return m !== null && m[1] === p.sourceVersion && Number(m[2]) >= 2;
  };
  const used = new Set(['bash', 'gzip', 'sed', 'tar', 'findutils', 'dash', 'coreutils', 'xz-utils', 'grep', 'zlib', 'util-linux', 'perl', 'openssl', 'libgcrypt20', 'libtasn1-6', 'nettle']);
  const nmu = installed.filter(binNmuOf);
  const binNmu = nmu.find((p) => p.source === 'e2fsprogs')?.source ?? nmu.find((p) => !used.has(p.source))?.source ?? 'e2fsprogs';
  return { version, binNmu };
}

/** `CVE/list`, `DSA/list`, the OVAL definitions and the expected cases, for the target's installed packages. */
export function trackerFixture(installed: readonly InstalledPackage[]) {
  const { version: v, binNmu } = sourcesOf(installed);
  const bashFix = nextPointRelease(v('bash'));
  const xzUnstableFix = nextPointRelease(v('xz-utils'));
  const zlibFix = nextPointRelease(v('zlib'));
  const zlibFixNoEpoch = withoutEpoch(zlibFix);
  const nmuFix = `${v(binNmu)}+b1`;
  const utilLinuxDsaFix = nextPointRelease(v('util-linux'));
  const perlOvalFix = nextPointRelease(v('perl'));
  const tarDsaFix = nextPointRelease(v('tar'));

  const cveList = `CVE-2099-1001 (bash: fixed for bookworm in a point release)
	- bash 5.2.21-1 (high)
	[bookworm] - bash ${bashFix}
CVE-2099-1002 (gzip: open everywhere)
	- gzip <unfixed> (bug #1099002; low)
CVE-2099-1003 (sed: minor issue, no DSA)
	- sed 4.10-1 (medium)
	[bookworm] - sed <no-dsa> (Minor issue)
CVE-2099-1004 (tar: postponed)
	- tar 1.35+dfsg-1
	[bookworm] - tar <postponed> (Revisit when fixed upstream)
CVE-2099-1005 (findutils: ignored)
	- findutils 4.10.0-1 (unimportant)
	[bookworm] - findutils <ignored> (Minor issue, too intrusive to backport)
CVE-2099-1006 (dash: not affected in bookworm, although the OVAL still shows it open)
	- dash 0.5.12-9
	[bookworm] - dash <not-affected> (Vulnerable code introduced later)
CVE-2099-1007 (coreutils: end of life)
	- coreutils 9.4-1
	[bookworm] - coreutils <end-of-life> (No longer supported in bookworm)
CVE-2099-1008 (xz-utils: fixed in unstable only; bookworm's version is older)
	- xz-utils ${xzUnstableFix}
CVE-2099-1009 (grep: fixed in unstable only; bookworm's version already has it)
	- grep ${v('grep')}
CVE-2099-1010 (${binNmu}: the bookworm fix lies between the source version and the binNMU versions)
	- ${binNmu} 99.0-1
	[bookworm] - ${binNmu} ${nmuFix}
CVE-2099-1011 (zlib: epoch in the fixed version)
	- zlib 1:99.0.dfsg-1
	[bookworm] - zlib ${zlibFix}
CVE-2099-1012 (zlib: fixed version written without the epoch, so below the installed one)
	- zlib 1:99.0.dfsg-1
	[bookworm] - zlib ${zlibFixNoEpoch}
CVE-2099-1013 (util-linux: fixed in unstable, and in bookworm by a DSA the image lacks)
	{DSA-9901-1}
	- util-linux 99.0-1 (high)
CVE-2099-1014 (util-linux: fixed in unstable, and in bookworm by an older DSA the image has)
	{DSA-9902-1}
	- util-linux 99.0-1
CVE-2099-1015 (gzip: RESERVED, nothing to say)
	RESERVED
CVE-2099-1016 (perl: an old DSA fix the image has, and a newer fix in the OVAL)
	{DSA-9903-1}
	- perl 99.0-1
CVE-2099-1017 (openssl: the OVAL shows it open, a newer DSA fixed it)
	{DSA-9905-1}
	- openssl 99.0-1
CVE-2099-1018 (tar: REJECTED)
	REJECTED
CVE-2099-1019 (gzip: NOT-FOR-US)
	NOT-FOR-US: Some product
CVE-2099-1020 (libgcrypt20: undetermined in unstable, nothing for bookworm)
	- libgcrypt20 <undetermined>
CVE-2099-1021 (libtasn1-6: removed from unstable; bookworm still ships it)
	- libtasn1-6 <removed>
CVE-2099-1022 (nettle: an ITP, not in Debian as such)
	- nettle <itp> (bug #1099022)
`;

  const dsaList = `[02 Jan 2026] DSA-9905-1 openssl - security update
	{CVE-2099-1017}
	[bookworm] - openssl ${v('openssl')}
[02 Jan 2026] DSA-9904-1 tar - security update
	[bookworm] - tar ${tarDsaFix}
[01 Jan 2026] DSA-9903-1 perl - security update
	{CVE-2099-1016}
	[bookworm] - perl ${v('perl')}
[01 Jan 2026] DSA-9902-1 util-linux - security update
	{CVE-2099-1014}
	[bookworm] - util-linux ${v('util-linux')}
[01 Jan 2026] DSA-9901-1 util-linux - security update
	{CVE-2099-1013}
	[bookworm] - util-linux ${utilLinuxDsaFix}
`;

  /** (CVE, source package, OVAL `evr less than` value). */
  const ovalDefinitions: Array<[string, string, string]> = [
    ['CVE-2099-1003', 'sed', '0:0'],
    ['CVE-2099-1006', 'dash', '0:0'],
    ['CVE-2099-1016', 'perl', `0:${perlOvalFix}`],
    ['CVE-2099-1017', 'openssl', '0:0'],
    ['CVE-2099-1018', 'tar', '0:0'],
  ];

  const cases: TrackerCase[] = [
    {
      id: 'CVE-2099-1001',
      source: 'bash',
      why: `[bookworm] fixed at ${bashFix} > installed source ${v('bash')}; the release line has no urgency, so the unstable line's (high) rates it`,
      expect: { status: 'fixed', fixedVersion: bashFix, severity: 'HIGH' },
    },
    {
      id: 'CVE-2099-1002',
      source: 'gzip',
      why: 'unstable <unfixed>, no bookworm line: bookworm inherits the open state',
      expect: { status: 'affected', fixedVersion: null, severity: 'LOW' },
    },
    {
      id: 'CVE-2099-1003',
      source: 'sed',
      why: '[bookworm] <no-dsa> → will_not_fix; the OVAL 0:0 for it only says "open", the tracker says why',
      expect: { status: 'will_not_fix', fixedVersion: null, severity: 'MEDIUM', trackerState: '<no-dsa>' },
    },
    { id: 'CVE-2099-1004', source: 'tar', why: '[bookworm] <postponed> → fix_deferred', expect: { status: 'fix_deferred', fixedVersion: null, trackerState: '<postponed>' } },
    { id: 'CVE-2099-1005', source: 'findutils', why: '[bookworm] <ignored> → will_not_fix', expect: { status: 'will_not_fix', fixedVersion: null, severity: 'LOW', trackerState: '<ignored>' } },
    { id: 'CVE-2099-1006', source: 'dash', why: '[bookworm] <not-affected> vetoes the OVAL 0:0' },
    { id: 'CVE-2099-1007', source: 'coreutils', why: '[bookworm] <end-of-life>: vulnerable, and no fix will come', expect: { status: 'end_of_life', fixedVersion: null, trackerState: '<end-of-life>' } },
    {
      id: 'CVE-2099-1008',
      source: 'xz-utils',
      why: `only unstable fixed (${xzUnstableFix} > installed ${v('xz-utils')}): affected in bookworm with NO fixed version for bookworm`,
      expect: { status: 'affected', fixedVersion: null },
    },
    { id: 'CVE-2099-1009', source: 'grep', why: `only unstable fixed, at the installed ${v('grep')}: not affected` },
    {
      id: 'CVE-2099-1010',
      source: binNmu,
      why: `fixed at ${nmuFix}: the SOURCE version ${v(binNmu)} is below it (the binNMU binaries would not be)`,
      expect: { status: 'fixed', fixedVersion: nmuFix },
    },
    { id: 'CVE-2099-1011', source: 'zlib', why: `fixed at ${zlibFix} > installed ${v('zlib')}`, expect: { status: 'fixed', fixedVersion: zlibFix } },
    { id: 'CVE-2099-1012', source: 'zlib', why: `fixed at ${zlibFixNoEpoch} (epoch 0) < installed ${v('zlib')} (epoch 1): not affected` },
    {
      id: 'CVE-2099-1013',
      source: 'util-linux',
      why: `the DSA fixes it in bookworm at ${utilLinuxDsaFix} > installed ${v('util-linux')}; the unstable fix (99.0-1) is not bookworm's; the tracker's urgency (high) still rates it`,
      expect: { status: 'fixed', fixedVersion: utilLinuxDsaFix, severity: 'HIGH', aliases: ['DSA-9901-1'] },
    },
    {
      id: 'CVE-2099-1014',
      source: 'util-linux',
      why: `the DSA fixed it in bookworm at the installed ${v('util-linux')}: not affected, although installed < the unstable fix`,
    },
    { id: 'CVE-2099-1015', source: 'gzip', why: 'RESERVED: nothing' },
    {
      id: 'CVE-2099-1016',
      source: 'perl',
      why: `DSA fixed at the installed ${v('perl')}, the OVAL at ${perlOvalFix}: the highest release fix decides → affected`,
      expect: { status: 'fixed', fixedVersion: perlOvalFix, aliases: ['DSA-9903-1'] },
    },
    { id: 'CVE-2099-1017', source: 'openssl', why: `the OVAL says 0:0, a DSA fixed it at the installed ${v('openssl')}: the fix wins, not affected` },
    { id: 'CVE-2099-1018', source: 'tar', why: 'REJECTED in the tracker: nothing, although an (older) OVAL shows it open' },
    { id: 'CVE-2099-1019', source: 'gzip', why: 'NOT-FOR-US: nothing' },
    {
      id: 'CVE-2099-1020',
      source: 'libgcrypt20',
      why: 'unstable <undetermined>, no bookworm line → under_investigation',
      expect: { status: 'under_investigation', fixedVersion: null },
    },
    {
      id: 'CVE-2099-1021',
      source: 'libtasn1-6',
      why: 'removed from unstable, no bookworm line: bookworm still ships it and has no fix → affected, no fixed version',
      expect: { status: 'affected', fixedVersion: null },
    },
    { id: 'CVE-2099-1022', source: 'nettle', why: '<itp>: nothing' },
    {
      id: 'DSA-9904-1',
      source: 'tar',
      why: `a DSA without CVEs is reported under its own id: fixed at ${tarDsaFix} > installed ${v('tar')}`,
      expect: { status: 'fixed', fixedVersion: tarDsaFix },
    },
  ];

  return {
    cases,
    /** The source whose binaries are binNMUs (CVE-2099-1010). */
    binNmu,
    /** Writes `CVE/list`, `DSA/list` and `oval-definitions-bookworm.xml` under dir; returns dir. */
    write(dir: string): string {
      mkdirSync(path.join(dir, 'CVE'), { recursive: true });
      mkdirSync(path.join(dir, 'DSA'), { recursive: true });
      writeFileSync(path.join(dir, 'CVE', 'list'), cveList);
      writeFileSync(path.join(dir, 'DSA', 'list'), dsaList);
      writeFileSync(path.join(dir, 'oval-definitions-bookworm.xml'), ovalXml(ovalDefinitions));
      return dir;
    },
  };
}

function ovalXml(definitions: ReadonlyArray<[string, string, string]>): string {
  const defs: string[] = [];
  const tests: string[] = [];
  const objects: string[] = [];
  const states: string[] = [];
  definitions.forEach(([cve, pkg, evr], i) => {
    const n = i + 3;
    defs.push(`    <definition id="oval:org.debian:def:${1000 + i}" version="1" class="vulnerability">
      <metadata>
        <title>${cve} ${pkg}</title>
        <affected family="unix">
          <platform>Debian GNU/Linux 12</platform>
          <product>${pkg}</product>
        </affected>
        <reference source="CVE" ref_id="${cve}" ref_url="https://cve.mitre.org/cgi-bin/cvename.cgi?name=${cve}"/>
        <description>${cve} in ${pkg}</description>
        <debian>
          <moreinfo></moreinfo>
        </debian>
      </metadata>
      <criteria comment="Release section" operator="AND">
        <criterion test_ref="oval:org.debian.oval:tst:1" comment="Debian 12 is installed"/>
        <criteria comment="Architecture section" operator="OR">
          <criteria comment="Architecture independent section" operator="AND">
            <criterion test_ref="oval:org.debian.oval:tst:2" comment="all architecture"/>
            <criterion test_ref="oval:org.debian.oval:tst:${n}" comment="${pkg} DPKG is earlier than ${evr}"/>
          </criteria>
        </criteria>
      </criteria>
    </definition>`);
    tests.push(`    <dpkginfo_test id="oval:org.debian.oval:tst:${n}" version="1" check="all" check_existence="at_least_one_exists" comment="${pkg} is earlier than ${evr}" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux">
      <object object_ref="oval:org.debian.oval:obj:${n}"/>
      <state state_ref="oval:org.debian.oval:ste:${n}"/>
    </dpkginfo_test>`);
    objects.push(`    <dpkginfo_object id="oval:org.debian.oval:obj:${n}" version="1" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux">
      <name>${pkg}</name>
    </dpkginfo_object>`);
    states.push(`    <dpkginfo_state id="oval:org.debian.oval:ste:${n}" version="1" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux">
      <evr datatype="debian_evr_string" operation="less than">${evr}</evr>
    </dpkginfo_state>`);
  });
  return `<?xml version='1.0' encoding='UTF-8'?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:ind-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent" xmlns:linux-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:oval-def="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:unix-def="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix">
  <generator>
    <oval:product_name>Debian</oval:product_name>
    <oval:schema_version>5.11.2</oval:schema_version>
    <oval:timestamp>2026-01-03T00:00:00.000+00:00</oval:timestamp>
  </generator>
  <definitions>
${defs.join('\n')}
  </definitions>
  <tests>
    <textfilecontent54_test id="oval:org.debian.oval:tst:1" version="1" check="all" check_existence="at_least_one_exists" comment="Debian GNU/Linux 12 is installed" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
      <object object_ref="oval:org.debian.oval:obj:1"/>
      <state state_ref="oval:org.debian.oval:ste:1"/>
    </textfilecontent54_test>
    <uname_test id="oval:org.debian.oval:tst:2" version="1" check="all" check_existence="at_least_one_exists" comment="Installed architecture is all" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix">
      <object object_ref="oval:org.debian.oval:obj:2"/>
    </uname_test>
${tests.join('\n')}
  </tests>
  <objects>
    <textfilecontent54_object id="oval:org.debian.oval:obj:1" version="1" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
      <path>/etc</path>
      <filename>debian_version</filename>
      <pattern operation="pattern match">(\\d+)\\.\\d</pattern>
      <instance datatype="int">1</instance>
    </textfilecontent54_object>
    <uname_object id="oval:org.debian.oval:obj:2" version="1" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#unix"/>
${objects.join('\n')}
  </objects>
  <states>
    <textfilecontent54_state id="oval:org.debian.oval:ste:1" version="1" xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
      <subexpression operation="equals">12</subexpression>
    </textfilecontent54_state>
${states.join('\n')}
  </states>
</oval_definitions>
`;
}
