/**
 * The matcher's rules, table-driven on the in-memory store: each row is a
 * handful of advisory records as feeds state them, an installed package, and
 * what a user must see. The precedence rules are the ones written down in
 * rules.ts's header; the expected lines follow from the records' documented
 * meaning (Debian tracker states, OSV ranges), not from the matcher's output.
 */
import { describe, expect, it } from 'vitest';
import type { Advisory, Severity, VulnInfo } from '../core/advisory.js';
import type { Package } from '../core/package.js';
import { MemoryVulnStore, type MemoryStoreContents } from '../vulndb/store/memory.js';
import { type MatchOptions, matchInventory } from './matcher.js';

const DEBIAN = 'Debian:12';

/** A binary package of a Debian source package (source version without the binNMU suffix). */
function deb(name: string, version: string, source = name, sourceVersion = version): Package {
  return {
    name,
    version,
    ecosystem: DEBIAN,
    kind: 'os',
    purl: `pkg:deb/debian/${name}@${version}`,
    source: { name: source, version: sourceVersion },
    paths: ['var/lib/dpkg/status'],
    foundBy: 'dpkg',
  };
}

function lang(ecosystem: string, name: string, version: string): Package {
  return { name, version, ecosystem, kind: 'lang', purl: `pkg:generic/${name}@${version}`, paths: ['app/manifest'], foundBy: 'test' };
}

type AdvisoryFields = Partial<Advisory> & Pick<Advisory, 'id' | 'source' | 'package'>;

function adv(fields: AdvisoryFields & { fixed?: string }): Advisory {
  const { fixed, ...rest } = fields;
  return {
    aliases: [],
    ecosystem: DEBIAN,
    ranges: fixed !== undefined ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] : [],
    status: fixed !== undefined ? 'fixed' : 'affected',
    severity: [],
    ...rest,
  };
}

const rating = (source: string, level: Severity['rating']): Severity => ({ source, type: 'rating', rating: level });

interface Row {
  name: string;
  packages: Package[];
  store: MemoryStoreContents;
  options?: MatchOptions;
  /** `id package status fixed-or-dash severity` per finding, sorted. */
  expect: string[];
  warnings?: RegExp[];
}

const ROWS: Row[] = [
  {
    name: 'a release fix above the installed source version: fixed, at that version',
    packages: [deb('libssl3', '3.0.11-1~deb12u2', 'openssl')],
    store: { advisories: [adv({ id: 'DSA-5532-1', source: 'debian-dsa', package: 'openssl', aliases: ['CVE-2023-5363'], fixed: '3.0.11-1~deb12u3' })] },
    expect: ['CVE-2023-5363 libssl3 fixed 3.0.11-1~deb12u3 UNKNOWN [DSA-5532-1]'],
  },
  {
    name: 'a release fix at or below the installed version: nothing',
    packages: [deb('libssl3', '3.0.11-1~deb12u2', 'openssl')],
    store: { advisories: [adv({ id: 'DSA-5532-1', source: 'debian-dsa', package: 'openssl', aliases: ['CVE-2023-5363'], fixed: '3.0.11-1~deb12u2' })] },
    expect: [],
  },
  {
    name: 'two versions of one package in one inventory are judged each at its own version',
    packages: [deb('libssl3', '3.0.11-1~deb12u2', 'openssl'), { ...deb('libssl3', '3.0.11-1~deb12u3', 'openssl'), paths: ['other/var/lib/dpkg/status'] }],
    store: { advisories: [adv({ id: 'DSA-5532-1', source: 'debian-dsa', package: 'openssl', aliases: ['CVE-2023-5363'], fixed: '3.0.11-1~deb12u3' })] },
    expect: ['CVE-2023-5363 libssl3 fixed 3.0.11-1~deb12u3 UNKNOWN [DSA-5532-1]'],
  },
  {
    name: 'the source version is compared, not the binNMU binary version',
    packages: [deb('libcom-err2', '1.47.0-2+b2', 'e2fsprogs', '1.47.0-2')],
    store: { advisories: [adv({ id: 'CVE-2099-1', source: 'debian-cve-list', package: 'e2fsprogs', fixed: '1.47.0-2+b1' })] },
    expect: ['CVE-2099-1 libcom-err2 fixed 1.47.0-2+b1 UNKNOWN'],
  },
  {
    name: 'epochs count: a fix written without the epoch is below an epoch-1 installed version',
    packages: [deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib')],
    store: { advisories: [adv({ id: 'CVE-2099-2', source: 'debian-cve-list', package: 'zlib', fixed: '1.2.14-1' })] },
    expect: [],
  },
  {
    name: 'rule 1: the tracker\'s <not-affected> vetoes the OVAL "0:0" of the same tier',
    packages: [deb('dash', '0.5.12-2')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-3', source: 'debian-cve-list', package: 'dash', status: 'not_affected', statusNote: '<not-affected> (Vulnerable code introduced later)' }),
        adv({ id: 'CVE-2099-3', source: 'debian-oval', package: 'dash' }),
      ],
    },
    expect: [],
  },
  {
    name: 'rule 2: a bare open state (OVAL 0:0) yields to a DSA fix of the same tier that the image has',
    packages: [deb('openssl', '3.0.22-1~deb12u2')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-4', source: 'debian-oval', package: 'openssl' }),
        adv({ id: 'DSA-9905-1', source: 'debian-dsa', package: 'openssl', aliases: ['CVE-2099-4'], fixed: '3.0.22-1~deb12u1' }),
      ],
    },
    expect: [],
  },
  {
    name: 'rule 3: of several release fixes above the installed version, the highest decides',
    packages: [deb('perl', '5.36.0-7+deb12u1')],
    store: {
      advisories: [
        adv({ id: 'DSA-9903-1', source: 'debian-dsa', package: 'perl', aliases: ['CVE-2099-5'], fixed: '5.36.0-7+deb12u3' }),
        adv({ id: 'CVE-2099-5', source: 'debian-oval', package: 'perl', fixed: '5.36.0-7+deb12u5' }),
      ],
    },
    expect: ['CVE-2099-5 perl fixed 5.36.0-7+deb12u5 UNKNOWN [DSA-9903-1]'],
  },
  {
    name: 'rule 4: with no fix, the tracker\'s <no-dsa> (will_not_fix) is shown rather than the OVAL\'s plain open state',
    packages: [deb('sed', '4.9-1')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-6', source: 'debian-oval', package: 'sed' }),
        adv({ id: 'CVE-2099-6', source: 'debian-cve-list', package: 'sed', status: 'will_not_fix', statusNote: '<no-dsa> (Minor issue)', severity: [rating('debian', 'MEDIUM')] }),
      ],
    },
    expect: ['CVE-2099-6 sed will_not_fix - MEDIUM'],
  },
  {
    name: 'tiers: the release\'s own statement (fixed below installed) beats an aggregator that calls it affected',
    packages: [deb('curl', '7.88.1-10+deb12u5')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-7', source: 'debian-cve-list', package: 'curl', fixed: '7.88.1-10+deb12u4' }),
        adv({ id: 'DEBIAN-CVE-2099-7', source: 'osv-debian', package: 'curl', aliases: ['CVE-2099-7'], fixed: '8.0.0-1' }),
      ],
    },
    expect: [],
  },
  {
    name: 'tiers: the state inherited from unstable yields to a DSA for the release',
    packages: [deb('util-linux', '2.38.1-5+deb12u3')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-8', source: 'debian-cve-list', package: 'util-linux', fixed: '2.40-1', status: 'affected', inheritedFrom: 'unstable' }),
        adv({ id: 'DSA-9902-1', source: 'debian-dsa', package: 'util-linux', aliases: ['CVE-2099-8'], fixed: '2.38.1-5+deb12u2' }),
      ],
    },
    expect: [],
  },
  {
    name: 'inherited from unstable, alone: affected, with no fixed version for the release',
    packages: [deb('liblzma5', '5.4.1-1', 'xz-utils')],
    store: { advisories: [adv({ id: 'CVE-2099-9', source: 'debian-cve-list', package: 'xz-utils', fixed: '5.6.1-1', status: 'affected', inheritedFrom: 'unstable' })] },
    expect: ['CVE-2099-9 liblzma5 affected - UNKNOWN'],
  },
  {
    name: 'Ubuntu OVAL names binary packages: looked up by binary name and version, never by source',
    packages: [{ ...deb('libssl3t64', '3.0.13-0ubuntu3', 'openssl', '3.0.13-0ubuntu3'), ecosystem: 'Ubuntu:24.04' }],
    store: {
      advisories: [
        adv({ id: 'USN-1-1', source: 'ubuntu-oval', ecosystem: 'Ubuntu:24.04', package: 'libssl3t64', packageKind: 'binary', aliases: ['CVE-2099-10'], fixed: '3.0.13-0ubuntu3.1' }),
        adv({ id: 'USN-2-1', source: 'ubuntu-oval', ecosystem: 'Ubuntu:24.04', package: 'openssl', packageKind: 'binary', aliases: ['CVE-2099-11'], fixed: '3.0.13-0ubuntu3.1' }),
      ],
    },
    expect: ['CVE-2099-10 libssl3t64 fixed 3.0.13-0ubuntu3.1 UNKNOWN [USN-1-1]'],
  },
  {
    name: 'rpm feeds name binary packages without saying so: an AlmaLinux record of the binary matches',
    packages: [
      { ...deb('openssl-libs', '1:3.0.7-24.el9', 'openssl', '1:3.0.7-24.el9'), ecosystem: 'AlmaLinux:9', purl: 'pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9', foundBy: 'rpm' },
    ],
    store: {
      advisories: [adv({ id: 'ALSA-2099:1', source: 'osv-almalinux', ecosystem: 'AlmaLinux:9', package: 'openssl-libs', aliases: ['CVE-2099-12'], fixed: '1:3.0.7-25.el9' })],
    },
    expect: ['CVE-2099-12 openssl-libs fixed 1:3.0.7-25.el9 UNKNOWN [ALSA-2099:1]'],
  },
  {
    name: 'a GHSA-only record is reported under the CVE its alias group links it to, with the GHSA as alias',
    packages: [lang('PyPI', 'PyYAML', '5.3')],
    store: {
      advisories: [adv({ id: 'GHSA-8q59-q68h-6hv4', source: 'osv-pypi', ecosystem: 'PyPI', package: 'pyyaml', fixed: '5.4' })],
      aliases: [['GHSA-8q59-q68h-6hv4', 'CVE-2020-14343']],
    },
    expect: ['CVE-2020-14343 PyYAML fixed 5.4 UNKNOWN [GHSA-8q59-q68h-6hv4]'],
  },
  {
    name: 'a DSA that names no CVE is reported under its own id',
    packages: [deb('tar', '1.34+dfsg-1.2+deb12u1')],
    store: { advisories: [adv({ id: 'DSA-9904-1', source: 'debian-dsa', package: 'tar', fixed: '1.34+dfsg-1.2+deb12u2' })] },
    expect: ['DSA-9904-1 tar fixed 1.34+dfsg-1.2+deb12u2 UNKNOWN'],
  },
  {
    name: 'a DSA fixing two CVEs makes two findings, neither an alias of the other',
    packages: [deb('bash', '5.2.15-2')],
    store: { advisories: [adv({ id: 'DSA-9906-1', source: 'debian-dsa', package: 'bash', aliases: ['CVE-2099-13', 'CVE-2099-14'], fixed: '5.2.15-2+deb12u1' })] },
    expect: ['CVE-2099-13 bash fixed 5.2.15-2+deb12u1 UNKNOWN [DSA-9906-1]', 'CVE-2099-14 bash fixed 5.2.15-2+deb12u1 UNKNOWN [DSA-9906-1]'],
  },
  {
    name: 'withdrawn records are left out; informational ones only when asked',
    packages: [lang('crates.io', 'ansi_term', '0.12.1')],
    store: {
      advisories: [
        adv({ id: 'RUSTSEC-2021-0139', source: 'osv-crates-io', ecosystem: 'crates.io', package: 'ansi-term', informational: 'unmaintained', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }),
        adv({ id: 'RUSTSEC-2099-0001', source: 'osv-crates-io', ecosystem: 'crates.io', package: 'ansi-term', withdrawn: '2099-01-01', fixed: '1.0.0' }),
      ],
    },
    options: { includeInformational: true },
    expect: ['RUSTSEC-2021-0139 ansi_term affected - UNKNOWN'],
  },
  {
    name: 'informational records are left out by default',
    packages: [lang('crates.io', 'ansi_term', '0.12.1')],
    store: {
      advisories: [
        adv({ id: 'RUSTSEC-2021-0139', source: 'osv-crates-io', ecosystem: 'crates.io', package: 'ansi-term', informational: 'unmaintained', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }),
      ],
    },
    expect: [],
  },
  {
    name: 'a rejected vulnerability is not reported',
    packages: [lang('Go', 'golang.org/x/net', 'v0.1.0')],
    store: {
      advisories: [adv({ id: 'GO-2099-0001', source: 'osv-go', ecosystem: 'Go', package: 'golang.org/x/net', aliases: ['CVE-2099-15'], fixed: '0.17.0', ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }] })],
      vulnerabilities: [{ id: 'CVE-2099-15', aliases: [], severity: [], rejected: true }],
    },
    expect: [],
  },
  {
    name: 'severity: the distro rates its own packages; CVSS rates a language package',
    packages: [deb('gzip', '1.12-1'), lang('PyPI', 'jinja2', '2.10')],
    store: {
      advisories: [
        adv({ id: 'CVE-2099-16', source: 'debian-cve-list', package: 'gzip', severity: [rating('debian', 'LOW')] }),
        adv({ id: 'PYSEC-2099-1', source: 'osv-pypi', ecosystem: 'PyPI', package: 'jinja2', aliases: ['CVE-2099-17'], fixed: '2.11.3', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.11.3' }] }] }),
      ],
      vulnerabilities: [
        { id: 'CVE-2099-16', aliases: [], severity: [{ source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }] },
        { id: 'CVE-2099-17', aliases: [], severity: [{ source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }] },
      ] satisfies VulnInfo[],
    },
    expect: ['CVE-2099-16 gzip affected - LOW', 'CVE-2099-17 jinja2 fixed 2.11.3 CRITICAL [PYSEC-2099-1]'],
  },
  {
    name: 'a package whose files an OS package owns is matched there, not again',
    packages: [{ ...lang('PyPI', 'PyYAML', '5.3'), ownedBy: { name: 'python3-yaml', ecosystem: DEBIAN } }],
    store: { advisories: [adv({ id: 'PYSEC-2099-2', source: 'osv-pypi', ecosystem: 'PyPI', package: 'pyyaml', aliases: ['CVE-2099-18'], fixed: '5.4' })] },
    expect: [],
  },
  {
    name: 'an ecosystem no feed covers is named in a warning, a version the scheme rejects in another',
    packages: [lang('npm', 'left-pad', '1.0.0'), deb('badpkg', 'not a version!')],
    store: { advisories: [adv({ id: 'CVE-2099-19', source: 'debian-cve-list', package: 'badpkg', fixed: '1.0-1' })] },
    expect: [],
    warnings: [/no advisories for npm: its 1 package were not checked/, /badpkg: version not a version! is not a valid dpkg version/],
  },
];

function line(f: { id: string; package: { name: string }; status: string; fixedVersion?: string; severity: string; aliases: string[] }): string {
  return `${f.id} ${f.package.name} ${f.status} ${f.fixedVersion ?? '-'} ${f.severity}${f.aliases.length ? ` [${f.aliases.join(',')}]` : ''}`;
}

describe('matching rules on the in-memory store', () => {
  for (const row of ROWS) {
    it(row.name, async () => {
      const outcome = await matchInventory({ packages: row.packages }, new MemoryVulnStore(row.store), row.options);
      expect(outcome.findings.map(line).sort()).toEqual([...row.expect].sort());
      for (const w of row.warnings ?? []) expect(outcome.warnings.some((x) => w.test(x)), `${w} in ${outcome.warnings.join(' | ')}`).toBe(true);
    });
  }

  it('asks the store twice per inventory, however many packages: once for advisories, once for the facts of what matched', async () => {
    const store = new MemoryVulnStore({
      advisories: [adv({ id: 'DSA-1-1', source: 'debian-dsa', package: 'openssl', aliases: ['CVE-2099-20'], fixed: '3.0.12-1' })],
    });
    const calls: string[] = [];
    const counting = {
      lookup: (r: Parameters<MemoryVulnStore['lookup']>[0]) => (calls.push(`lookup ${r.packages.length}`), store.lookup(r)),
      vulnerabilities: (ids: readonly string[]) => (calls.push(`vulnerabilities ${ids.join(',')}`), store.vulnerabilities(ids)),
      metadata: () => store.metadata(),
      close: () => store.close(),
    };
    const packages = ['libssl3', 'openssl', 'libssl-dev'].map((n) => deb(n, '3.0.11-1', 'openssl'));
    const outcome = await matchInventory({ packages }, counting);
    expect(outcome.findings).toHaveLength(3);
    // Three names: the source package (also one binary's name) and the two other binaries.
    expect(calls).toEqual(['lookup 3', 'vulnerabilities CVE-2099-20']);
  });

  it('the same store answers a second inventory at other versions afresh (what is remembered per package row is keyed by version)', async () => {
    const store = new MemoryVulnStore({ advisories: [adv({ id: 'DSA-1-1', source: 'debian-dsa', package: 'bash', aliases: ['CVE-2099-22'], fixed: '5.2.15-2+deb12u1' })] });
    const at = async (v: string) => (await matchInventory({ packages: [deb('bash', v)] }, store)).findings.map(line);
    expect(await at('5.2.15-2')).toEqual(['CVE-2099-22 bash fixed 5.2.15-2+deb12u1 UNKNOWN [DSA-1-1]']);
    expect(await at('5.2.15-2+deb12u1')).toEqual([]);
    expect(await at('5.2.15-1')).toEqual(['CVE-2099-22 bash fixed 5.2.15-2+deb12u1 UNKNOWN [DSA-1-1]']);
  });

  it('the explanation names the deciding record, the lookup and the versions compared', async () => {
    const store = new MemoryVulnStore({
      advisories: [adv({ id: 'DSA-9901-1', source: 'debian-dsa', package: 'util-linux', aliases: ['CVE-2099-21'], fixed: '2.38.1-5+deb12u4' })],
    });
    const [f] = (await matchInventory({ packages: [deb('libblkid1', '2.38.1-5+deb12u3', 'util-linux')] }, store)).findings;
    expect(f?.explanation).toMatchObject({
      matchedBy: 'source-package',
      lookupName: 'util-linux',
      comparedVersion: '2.38.1-5+deb12u3',
      scheme: 'dpkg',
      rule: 'installed 2.38.1-5+deb12u3 < fixed 2.38.1-5+deb12u4: DSA-9901-1 (debian-dsa, Debian:12)',
      advisories: [{ id: 'DSA-9901-1', source: 'debian-dsa', ecosystem: DEBIAN }],
    });
  });
});
