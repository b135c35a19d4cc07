/**
 * Pins what the descriptor list yields to the tables the stages kept before
 * it (copied here as they were), so deriving them changed nothing: the
 * matcher's SOURCE_PRIORITY, RPM_FAMILIES and DISTRO_FAMILIES, severity's
 * DISTRO_RATERS, and the per-family tables of ecosystem.ts, inventory/purl.ts,
 * sbom/purl.ts, inventory/distro/, versioning/index.ts and report/common.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  DISTROS,
  distroSourcePriority,
  idOfPurlNamespace,
  isDistroRater,
  isRpmFamily,
  mayOmitVersion,
  OS_NAME_PREFIXES,
  osPurlTypeOf,
  ratesOwnSeverity,
  RELEASE_FILES,
  RELEASE_LINE_PREFIXES,
} from './distros.js';
import { packageTypeOf } from './ecosystem.js';

/** src/match/matcher.ts SOURCE_PRIORITY. */
const SOURCE_PRIORITY: Record<string, number> = {
  'debian-cve-list': 0,
  'debian-tracker-json': 0,
  'alpine-secdb': 0,
  'wolfi-secdb': 0,
  'chainguard-secdb': 0,
  'debian-dsa': 1,
  'debian-dla': 1,
  'debian-dtsa': 1,
  'debian-oval': 2,
  'ubuntu-oval': 2,
};

/** src/match/matcher.ts DISTRO_FAMILIES. */
const DISTRO_FAMILIES = ['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard'];

/** src/match/matcher.ts RPM_FAMILIES. */
const RPM_FAMILIES = ['Red Hat', 'Rocky Linux', 'AlmaLinux', 'openSUSE', 'SUSE', 'Photon OS', 'Mariner', 'Azure Linux', 'Amazon Linux', 'Oracle Linux', 'Fedora', 'CentOS'];

/** src/match/severity.ts DISTRO_RATERS. */
const DISTRO_RATERS = ['debian', 'ubuntu', 'alpine', 'redhat', 'suse', 'photon', 'mariner', 'azurelinux', 'amazon', 'oracle', 'rocky', 'alma'];

/** src/core/ecosystem.ts PACKAGE_TYPE. */
const PACKAGE_TYPE: Record<string, string> = {
  debian: 'deb',
  ubuntu: 'deb',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  rhel: 'rpm',
  centos: 'rpm',
  rocky: 'rpm',
  almalinux: 'rpm',
  fedora: 'rpm',
  amzn: 'rpm',
  ol: 'rpm',
  opensuse: 'rpm',
  'opensuse-leap': 'rpm',
  'opensuse-tumbleweed': 'rpm',
  'opensuse-leap-micro': 'rpm',
  sles: 'rpm',
  sled: 'rpm',
  sles_sap: 'rpm',
  'sle-micro': 'rpm',
  sl_micro: 'rpm',
  photon: 'rpm',
  mariner: 'rpm',
  azurelinux: 'rpm',
};

/** src/inventory/purl.ts OS_PURL. */
const OS_PURL: Record<string, { type: string; namespace: string }> = {
  debian: { type: 'deb', namespace: 'debian' },
  ubuntu: { type: 'deb', namespace: 'ubuntu' },
  alpine: { type: 'apk', namespace: 'alpine' },
  wolfi: { type: 'apk', namespace: 'wolfi' },
  chainguard: { type: 'apk', namespace: 'chainguard' },
  rhel: { type: 'rpm', namespace: 'redhat' },
  centos: { type: 'rpm', namespace: 'centos' },
  rocky: { type: 'rpm', namespace: 'rocky' },
  almalinux: { type: 'rpm', namespace: 'almalinux' },
  fedora: { type: 'rpm', namespace: 'fedora' },
  amzn: { type: 'rpm', namespace: 'amazon' },
  ol: { type: 'rpm', namespace: 'oracle' },
  opensuse: { type: 'rpm', namespace: 'opensuse' },
  'opensuse-leap': { type: 'rpm', namespace: 'opensuse' },
  'opensuse-tumbleweed': { type: 'rpm', namespace: 'opensuse' },
  sles: { type: 'rpm', namespace: 'suse' },
  sled: { type: 'rpm', namespace: 'suse' },
  photon: { type: 'rpm', namespace: 'photon' },
  mariner: { type: 'rpm', namespace: 'mariner' },
  azurelinux: { type: 'rpm', namespace: 'azurelinux' },
};

/** src/sbom/purl.ts NAMESPACE_FAMILY (looked up with the name itself as fallback). */
const NAMESPACE_FAMILY: Record<string, string> = {
  debian: 'debian',
  ubuntu: 'ubuntu',
  alpine: 'alpine',
  wolfi: 'wolfi',
  chainguard: 'chainguard',
  redhat: 'rhel',
  rhel: 'rhel',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
  amazon: 'amzn',
  amzn: 'amzn',
  oracle: 'ol',
  ol: 'ol',
  opensuse: 'opensuse-leap',
  suse: 'sles',
  sles: 'sles',
  photon: 'photon',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
};

/** src/inventory/distro/detect.ts RELEASE_FILES. */
const OLD_RELEASE_FILES = [
  'etc/alpine-release',
  'etc/centos-release',
  'etc/rocky-release',
  'etc/almalinux-release',
  'etc/oracle-release',
  'etc/fedora-release',
  'etc/mariner-release',
  'etc/azurelinux-release',
  'etc/photon-release',
  'etc/system-release',
  'etc/redhat-release',
  'etc/SuSE-release',
];

/** src/inventory/distro/os-release.ts RELEASE_PREFIXES (order across families is immaterial: no prefix of one family starts another's). */
const RELEASE_PREFIXES: [string, string][] = [
  ['Red Hat Enterprise Linux', 'rhel'],
  ['CentOS Stream', 'centos'],
  ['CentOS', 'centos'],
  ['Rocky Linux', 'rocky'],
  ['AlmaLinux', 'almalinux'],
  ['Fedora', 'fedora'],
  ['Oracle Linux', 'ol'],
  ['Enterprise Linux Enterprise Linux', 'ol'],
  ['Amazon Linux', 'amzn'],
  ['CBL-Mariner', 'mariner'],
  ['Azure Linux', 'azurelinux'],
  ['VMware Photon OS', 'photon'],
  ['Photon OS', 'photon'],
  ['openSUSE', 'opensuse'],
  ['SUSE Linux Enterprise Server', 'sles'],
  ['SUSE Linux Enterprise Desktop', 'sled'],
];

/** src/sbom/inventory.ts osFamily's patterns, tried on the lower-cased name. */
const OS_NAME_PATTERNS: [RegExp, string][] = [
  [/^red ?hat|^rhel/, 'rhel'],
  [/^amazon/, 'amzn'],
  [/^oracle/, 'ol'],
  [/^rocky/, 'rocky'],
  [/^alma/, 'almalinux'],
  [/^(cbl-)?mariner/, 'mariner'],
  [/^azure ?linux/, 'azurelinux'],
  [/^photon|^vmware photon/, 'photon'],
  [/^debian/, 'debian'],
  [/^ubuntu/, 'ubuntu'],
  [/^alpine/, 'alpine'],
];

const ids = DISTROS.flatMap((d) => d.ids);
const names = DISTROS.map((d) => d.name);
const feedIds = DISTROS.flatMap((d) => (d.feeds ?? []).map((f) => f.source));
const raterIds = DISTROS.flatMap((d) => (d.rater ? [d.rater] : []));
/** Everything any table is keyed by, and near misses: each lookup is checked on all of them. */
const candidates = [
  ...new Set([
    ...ids,
    ...names,
    ...feedIds,
    ...raterIds,
    ...DISTROS.map((d) => d.purl.namespace),
    ...Object.keys(SOURCE_PRIORITY),
    ...Object.keys(NAMESPACE_FAMILY),
    ...RPM_FAMILIES,
    ...DISTRO_RATERS,
    ...['RPM', 'osv', 'osv-go', 'nvd', 'ghsa', 'rustsec', 'pypa', 'go', 'kev', 'epss', 'npm', 'PyPI', 'Maven', 'debian-sid', 'Debian:12', 'debian ', 'DEBIAN', ''],
  ]),
];

describe('what matching asks, as the tables in src/match/ had it', () => {
  it('distroSourcePriority is SOURCE_PRIORITY, undefined for every other source', () => {
    for (const c of candidates) expect([c, distroSourcePriority(c)]).toEqual([c, SOURCE_PRIORITY[c]]);
  });
  it('isRpmFamily is RPM_FAMILIES', () => {
    for (const c of candidates) expect([c, isRpmFamily(c)]).toEqual([c, RPM_FAMILIES.includes(c)]);
  });
  it('ratesOwnSeverity is DISTRO_FAMILIES', () => {
    for (const c of candidates) expect([c, ratesOwnSeverity(c)]).toEqual([c, DISTRO_FAMILIES.includes(c)]);
  });
  it('isDistroRater is DISTRO_RATERS', () => {
    for (const c of candidates) expect([c, isDistroRater(c)]).toEqual([c, DISTRO_RATERS.includes(c)]);
  });
});

describe('the per-family tables the other stages kept', () => {
  it('package types (core/ecosystem.ts PACKAGE_TYPE)', () => {
    for (const c of candidates) expect([c, packageTypeOf(c)]).toEqual([c, PACKAGE_TYPE[c]]);
    expect([...ids].sort()).toEqual(Object.keys(PACKAGE_TYPE).sort());
  });
  it('purl type and namespace per os-release ID (inventory/purl.ts OS_PURL)', () => {
    for (const c of candidates) expect([c, osPurlTypeOf(c)]).toEqual([c, OS_PURL[c]]);
  });
  it('os-release ID per purl namespace (sbom/purl.ts NAMESPACE_FAMILY)', () => {
    for (const c of candidates) expect([c, idOfPurlNamespace(c) ?? c]).toEqual([c, NAMESPACE_FAMILY[c] ?? c]);
  });
  it('release files, in the same order (inventory/distro/detect.ts)', () => {
    expect(RELEASE_FILES).toEqual(OLD_RELEASE_FILES);
  });
  it('release-line prefixes (inventory/distro/os-release.ts)', () => {
    expect(new Map(RELEASE_LINE_PREFIXES)).toEqual(new Map(RELEASE_PREFIXES));
    // The first prefix that matches decides: the same one, whatever the order across families.
    const first = (table: readonly (readonly [string, string])[], line: string) => table.find(([p]) => line.startsWith(p))?.[1];
    for (const [prefix] of RELEASE_PREFIXES) {
      const line = `${prefix} release 9.4 (Blue Onyx)`;
      expect([line, first(RELEASE_LINE_PREFIXES, line)]).toEqual([line, first(RELEASE_PREFIXES, line)]);
    }
  });
  it('SBOM operating-system names (sbom/inventory.ts)', () => {
    const probes = [
      ...OS_NAME_PREFIXES.map(([p]) => p),
      'red hat enterprise linux',
      'redhat',
      'rhel',
      'cbl-mariner',
      'mariner',
      'azure linux',
      'azurelinux',
      'vmware photon os',
      'photon os',
      'almalinux',
      'alpine linux',
      'centos',
      'fedora',
      'sles',
      'opensuse-leap',
      'wolfi',
      'amazon linux',
      'oracle linux server',
      'rocky linux',
      'ubuntu',
      'debian gnu/linux',
    ];
    for (const n of probes) {
      const old = OS_NAME_PATTERNS.find(([re]) => re.test(n))?.[1];
      const now = OS_NAME_PREFIXES.find(([p]) => n.startsWith(p))?.[1];
      expect([n, now]).toEqual([n, old]);
    }
  });
  it('IDs whose os-release may lack VERSION_ID (inventory/distro/detect.ts)', () => {
    expect([...ids].filter(mayOmitVersion).sort()).toEqual(['chainguard', 'opensuse-tumbleweed', 'wolfi']);
  });
});

