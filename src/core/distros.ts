/**
 * One descriptor per distribution family, in one list: what every stage
 * needs to know about a distro is here, and the tables the stages used to
 * keep (package type per os-release ID, ecosystem naming and feed
 * spellings, purl namespaces, version scheme, the feeds that speak for a
 * release and their precedence, who rates severity, release files) are
 * derived from it. Adding a distribution is a descriptor here plus, where
 * needed, its package-database scanner (src/inventory/os/) and feed reader
 * (src/vulndb/sources/); see docs/ARCHITECTURE.md.
 *
 * Plain data and small functions only: `core` imports no other stage, so
 * version schemes are named by id (resolved in src/versioning/index.ts) and
 * feeds by source id (src/vulndb/sources/index.ts).
 *
 * Order matters twice: release files are tried in list order (CentOS, Rocky,
 * … before Red Hat, whose `/etc/redhat-release` they also carry), and
 * `strata db build` downloads the live feeds in list order.
 */
import type { OsPackageType, ReleaseId } from './ecosystem.js';

/** A URL `strata db build` reads when no `--from` is given. */
export interface LiveUrl {
  /** `{branch}` stands for each Alpine branch the secdb index page lists at build time. */
  readonly url: string;
  /** A 404 is not an error (a branch without a community repository). */
  readonly optional?: boolean;
}

/** A feed that speaks for the family's releases (tier 0 of matching's precedence). */
export interface DistroFeed {
  /** The Source id (src/vulndb/sources/): the `id=` of a `--from` spec and `Advisory.source`. */
  readonly source: string;
  /**
   * Specificity among the distros' own feeds when they disagree on an open
   * state (lower wins): the tracker's own per-release data (0) beats
   * advisories derived from it (DSA/DLA lists, 1) and OVAL (2).
   */
  readonly priority: number;
  readonly live?: readonly LiveUrl[];
}

export interface DistroDescriptor {
  /** The ecosystem family: the part of its ecosystems before the first `:` (`Debian`, `Red Hat`), the whole ecosystem when `rolling`. */
  readonly name: string;
  /** os-release IDs (lower case). The first is the one a purl namespace and an SBOM's OS name map to. */
  readonly ids: readonly string[];
  readonly packageType: OsPackageType;
  /** Version scheme id (src/versioning/): `dpkg`, `rpm`, `apk`. */
  readonly scheme: string;
  readonly purl: {
    /** purl namespace, as Trivy and Syft write it (`pkg:rpm/redhat/…`). */
    readonly namespace: string;
    /** The IDs written under `namespace`, when not all are; the others are written with their own ID as namespace. */
    readonly ids?: readonly string[];
  };
  /** The ecosystem is the bare name, no release (`Wolfi`); versions of the os-release are not part of it. */
  readonly rolling?: boolean;
  /** IDs whose os-release may lack VERSION_ID and still name a release (besides every ID of a rolling family). */
  readonly versionlessIds?: readonly string[];
  /** The ecosystem of a release: `Debian:12`, `Alpine:v3.20`, `Red Hat:enterprise_linux:9`. */
  readonly ecosystem: (id: ReleaseId) => string;
  /** A feed's spelling of a release (what follows `name:`) → the name `ecosystem` gives it; undefined keeps the spelling. */
  readonly canonical?: (release: string) => string | undefined;
  /** The feeds that speak for its releases. */
  readonly feeds?: readonly DistroFeed[];
  /** The `Severity.source` of the distro's own ratings (`debian` urgency, `ubuntu` priority): preferred over CVSS for its packages. */
  readonly rater?: string;
  /** Matching offers the `rating`s of this family's advisories as the distro's rating (families with a feed of their own). */
  readonly ratesOwnSeverity?: boolean;
  /** One-line release files (`etc/centos-release`) tried when os-release is missing or unknown. */
  readonly releaseFiles?: readonly string[];
  /** First-line vendor prefixes of release files → os-release ID, most specific first. */
  readonly releaseLines?: Readonly<Record<string, string>>;
  /** Lower-case prefixes of the names SBOM operating-system components give it (`red hat`, `cbl-mariner`). */
  readonly osNames?: readonly string[];
}

/** Debian release numbers by codename (distro-info-data's version column), for sources that name releases by codename. */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4.0',
  lenny: '5.0',
  squeeze: '6.0',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

function major(version: string): string {
  const dot = version.indexOf('.');
  return dot < 0 ? version : version.slice(0, dot);
}

function majorMinor(version: string): string {
  const parts = version.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : version;
}

const isNumeric = (v: string): boolean => /^\d+(\.\d+)*$/.test(v);

/**
 * A Debian point release (`12.7`, `6.0.10`) as distro-info-data numbers the
 * release: the major version since 7 (wheezy), major.minor before (`6.0`,
 * `3.1`), as OSV's `Debian:<RELEASE>` does.
 */
function debianRelease(version: string): string {
  const maj = Number(major(version));
  return maj >= 7 ? major(version) : majorMinor(version.includes('.') ? version : `${version}.0`);
}

function debianEcosystem(version: string): string {
  const numbered = isNumeric(version) ? version : DEBIAN_CODENAMES[version];
  return numbered ? `Debian:${debianRelease(numbered)}` : 'Debian:sid';
}

/** `SUSE Linux Enterprise Server 15 SP5` from `15.5` when there is no PRETTY_NAME. */
function suseProduct(family: string, version: string): string {
  const [maj, min] = version.split('.');
  const sp = min && min !== '0' ? ` SP${min}` : '';
  const product = family === 'sled' ? 'Linux Enterprise Desktop' : family === 'sle-micro' || family === 'sl_micro' ? 'Linux Enterprise Micro' : 'Linux Enterprise Server';
  if (family === 'sle-micro' || family === 'sl_micro') return `${product} ${version}`;
  return `${product} ${maj ?? version}${sp}`;
}

/** `Name:<major>`; feeds' point releases (`AlmaLinux:9.3`) fold onto it. */
function byMajor(name: string): Pick<DistroDescriptor, 'ecosystem' | 'canonical'> {
  return {
    ecosystem: ({ version }) => `${name}:${major(version)}`,
    canonical: (release) => (isNumeric(release) ? `${name}:${major(release)}` : undefined),
  };
}

/** `Name:<major>.<minor>`. */
const byMajorMinor =
  (name: string) =>
  ({ version }: ReleaseId): string =>
    `${name}:${majorMinor(version)}`;

const DEBIAN_LIST_BASE = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';
const UBUNTU_OVAL_BASE = 'https://security-metadata.canonical.com/oval';

/** A package manager and the version scheme of its packages. */
const DEB = { packageType: 'deb', scheme: 'dpkg' } as const;
const APK = { packageType: 'apk', scheme: 'apk' } as const;
const RPM = { packageType: 'rpm', scheme: 'rpm' } as const;

/** Every distribution family Strata knows, in release-file detection and live-feed order (see the header). */
export const DISTROS: readonly DistroDescriptor[] = [
  {
    name: 'Debian',
    ids: ['debian'],
    ...DEB,
    purl: { namespace: 'debian' },
    ecosystem: ({ version }) => debianEcosystem(version),
    // Feeds spell the development release `unstable` or `sid`, and stable ones by codename.
    canonical: (release) => (release === 'unstable' ? 'Debian:sid' : debianEcosystem(release)),
    feeds: [
      { source: 'debian-cve-list', priority: 0 },
      { source: 'debian-tracker-json', priority: 0, live: [{ url: 'https://security-tracker.debian.org/tracker/data/json' }] },
      { source: 'debian-dsa', priority: 1, live: [{ url: `${DEBIAN_LIST_BASE}/DSA/list` }] },
      { source: 'debian-dla', priority: 1, live: [{ url: `${DEBIAN_LIST_BASE}/DLA/list` }] },
      { source: 'debian-dtsa', priority: 1 },
      { source: 'debian-oval', priority: 2 },
    ],
    rater: 'debian',
    ratesOwnSeverity: true,
    osNames: ['debian'],
  },
  {
    name: 'Alpine',
    ids: ['alpine'],
    ...APK,
    purl: { namespace: 'alpine' },
    ecosystem: ({ version }) => (version === 'edge' ? 'Alpine:edge' : `Alpine:v${majorMinor(version)}`),
    canonical: (release) => (/^v\d+\.\d+\.\d+/.test(release) ? `Alpine:${majorMinor(release)}` : undefined),
    feeds: [
      {
        source: 'alpine-secdb',
        priority: 0,
        live: [{ url: 'https://secdb.alpinelinux.org/{branch}/main.json' }, { url: 'https://secdb.alpinelinux.org/{branch}/community.json', optional: true }],
      },
    ],
    rater: 'alpine',
    ratesOwnSeverity: true,
    releaseFiles: ['etc/alpine-release'],
    osNames: ['alpine'],
  },
  {
    name: 'Wolfi',
    ids: ['wolfi'],
    ...APK,
    purl: { namespace: 'wolfi' },
    rolling: true,
    ecosystem: () => 'Wolfi',
    feeds: [{ source: 'wolfi-secdb', priority: 0, live: [{ url: 'https://packages.wolfi.dev/os/security.json' }] }],
    ratesOwnSeverity: true,
  },
  {
    name: 'Chainguard',
    ids: ['chainguard'],
    ...APK,
    purl: { namespace: 'chainguard' },
    rolling: true,
    ecosystem: () => 'Chainguard',
    feeds: [{ source: 'chainguard-secdb', priority: 0, live: [{ url: 'https://packages.cgr.dev/chainguard/security.json' }] }],
    ratesOwnSeverity: true,
  },
  {
    name: 'Ubuntu',
    ids: ['ubuntu'],
    ...DEB,
    purl: { namespace: 'ubuntu' },
    ecosystem: byMajorMinor('Ubuntu'),
    // Ubuntu Pro (`Ubuntu:Pro:18.04:LTS` → `Ubuntu:Pro:18.04`) stays apart: those fixes only reach Pro subscribers.
    canonical: (release) => (release.endsWith(':LTS') ? `Ubuntu:${release.slice(0, -':LTS'.length)}` : undefined),
    feeds: [
      {
        source: 'ubuntu-oval',
        priority: 2,
        live: ['bionic', 'focal', 'jammy', 'noble'].map((c) => ({ url: `${UBUNTU_OVAL_BASE}/com.ubuntu.${c}.usn.oval.xml.bz2` })),
      },
    ],
    rater: 'ubuntu',
    ratesOwnSeverity: true,
    osNames: ['ubuntu'],
  },
  {
    name: 'CentOS',
    ids: ['centos'],
    ...RPM,
    purl: { namespace: 'centos' },
    ...byMajor('CentOS'),
    releaseFiles: ['etc/centos-release'],
    releaseLines: { 'CentOS Stream': 'centos', CentOS: 'centos' },
  },
  {
    name: 'Rocky Linux',
    ids: ['rocky'],
    ...RPM,
    purl: { namespace: 'rocky' },
    ...byMajor('Rocky Linux'),
    rater: 'rocky',
    releaseFiles: ['etc/rocky-release'],
    releaseLines: { 'Rocky Linux': 'rocky' },
    osNames: ['rocky'],
  },
  {
    name: 'AlmaLinux',
    ids: ['almalinux'],
    ...RPM,
    purl: { namespace: 'almalinux' },
    ...byMajor('AlmaLinux'),
    rater: 'alma',
    releaseFiles: ['etc/almalinux-release'],
    releaseLines: { AlmaLinux: 'almalinux' },
    osNames: ['alma'],
  },
  {
    name: 'Oracle Linux',
    ids: ['ol'],
    ...RPM,
    purl: { namespace: 'oracle' },
    ...byMajor('Oracle Linux'),
    rater: 'oracle',
    releaseFiles: ['etc/oracle-release'],
    releaseLines: { 'Oracle Linux': 'ol', 'Enterprise Linux Enterprise Linux': 'ol' },
    osNames: ['oracle'],
  },
  {
    name: 'Fedora',
    ids: ['fedora'],
    ...RPM,
    purl: { namespace: 'fedora' },
    ecosystem: ({ version }) => `Fedora:${major(version)}`,
    releaseFiles: ['etc/fedora-release'],
    releaseLines: { Fedora: 'fedora' },
  },
  {
    name: 'Mariner',
    ids: ['mariner'],
    ...RPM,
    purl: { namespace: 'mariner' },
    ecosystem: byMajorMinor('Mariner'),
    rater: 'mariner',
    releaseFiles: ['etc/mariner-release'],
    releaseLines: { 'CBL-Mariner': 'mariner' },
    osNames: ['mariner', 'cbl-mariner'],
  },
  {
    name: 'Azure Linux',
    ids: ['azurelinux'],
    ...RPM,
    purl: { namespace: 'azurelinux' },
    ecosystem: byMajorMinor('Azure Linux'),
    rater: 'azurelinux',
    releaseFiles: ['etc/azurelinux-release'],
    releaseLines: { 'Azure Linux': 'azurelinux' },
    osNames: ['azurelinux', 'azure linux'],
  },
  {
    name: 'Photon OS',
    ids: ['photon'],
    ...RPM,
    purl: { namespace: 'photon' },
    ecosystem: byMajorMinor('Photon OS'),
    rater: 'photon',
    releaseFiles: ['etc/photon-release'],
    releaseLines: { 'VMware Photon OS': 'photon', 'Photon OS': 'photon' },
    osNames: ['photon', 'vmware photon'],
  },
  {
    name: 'Amazon Linux',
    ids: ['amzn'],
    ...RPM,
    purl: { namespace: 'amazon' },
    // Amazon Linux 1 versions are dates (2011.09 … 2018.03); 2 and 2023 are plain.
    ecosystem: ({ version }) => (/^20(0\d|1[0-8])\.\d/.test(version) ? 'Amazon Linux:1' : `Amazon Linux:${major(version)}`),
    rater: 'amazon',
    releaseFiles: ['etc/system-release'],
    releaseLines: { 'Amazon Linux': 'amzn' },
    osNames: ['amazon'],
  },
  {
    name: 'Red Hat',
    ids: ['rhel'],
    ...RPM,
    purl: { namespace: 'redhat' },
    ecosystem: ({ version }) => `Red Hat:enterprise_linux:${major(version)}`,
    // `enterprise_linux:9.4`, `enterprise_linux:9::appstream` → `enterprise_linux:9`.
    canonical: (release) => {
      const m = /^enterprise_linux:(\d+)(?:\.\d+)?(?:::.*)?$/.exec(release);
      return m ? `Red Hat:enterprise_linux:${m[1]}` : undefined;
    },
    rater: 'redhat',
    releaseFiles: ['etc/redhat-release'],
    releaseLines: { 'Red Hat Enterprise Linux': 'rhel' },
    osNames: ['red hat', 'redhat', 'rhel'],
  },
  {
    name: 'openSUSE',
    ids: ['opensuse-leap', 'opensuse', 'opensuse-tumbleweed', 'opensuse-leap-micro'],
    ...RPM,
    purl: { namespace: 'opensuse', ids: ['opensuse', 'opensuse-leap', 'opensuse-tumbleweed'] },
    versionlessIds: ['opensuse-tumbleweed'],
    ecosystem: ({ family, version, prettyName }) => {
      const pretty = prettyName?.trim();
      if (pretty?.startsWith('openSUSE ')) return `openSUSE:${pretty.slice('openSUSE '.length)}`;
      if (family === 'opensuse-tumbleweed') return 'openSUSE:Tumbleweed';
      if (family === 'opensuse-leap-micro') return `openSUSE:Leap Micro ${version}`;
      return family === 'opensuse' ? `openSUSE:${version}` : `openSUSE:Leap ${version}`;
    },
    rater: 'suse',
    releaseFiles: ['etc/SuSE-release'],
    releaseLines: { openSUSE: 'opensuse' },
  },
  {
    name: 'SUSE',
    ids: ['sles', 'sled', 'sles_sap', 'sle-micro', 'sl_micro'],
    ...RPM,
    purl: { namespace: 'suse', ids: ['sles', 'sled'] },
    ecosystem: ({ family, version, prettyName }) => {
      const pretty = prettyName?.trim();
      if (pretty?.startsWith('SUSE ')) return `SUSE:${pretty.slice('SUSE '.length)}`;
      return `SUSE:${suseProduct(family, version)}`;
    },
    rater: 'suse',
    releaseFiles: ['etc/SuSE-release'],
    releaseLines: { 'SUSE Linux Enterprise Server': 'sles', 'SUSE Linux Enterprise Desktop': 'sled' },
  },
];

// ---------------------------------------------------------------------------
// Lookups and the tables derived from the list.

const byId = new Map(DISTROS.flatMap((d) => d.ids.map((id) => [id, d] as const)));
const byName = new Map(DISTROS.map((d) => [d.name, d] as const));
const feedPriority = new Map(DISTROS.flatMap((d) => (d.feeds ?? []).map((f) => [f.source, f.priority] as const)));
const raters = new Set(DISTROS.flatMap((d) => (d.rater ? [d.rater] : [])));
const byPurlNamespace = new Map(DISTROS.map((d) => [d.purl.namespace, d.ids[0]!] as const));

/** The descriptor of an os-release ID (`debian`, `rhel`, `opensuse-leap`). */
export function distroById(id: string): DistroDescriptor | undefined {
  return byId.get(id);
}

/** The descriptor of an ecosystem family (`Debian`, `Red Hat`): the part of an ecosystem before its first `:`. */
export function distroByName(name: string): DistroDescriptor | undefined {
  return byName.get(name);
}

/** The os-release ID a purl namespace names, when it is not the ID itself (`redhat` → `rhel`, `suse` → `sles`). */
export function idOfPurlNamespace(namespace: string): string | undefined {
  return byPurlNamespace.get(namespace);
}

/** purl type and namespace for packages of an os-release ID; undefined when the ID has none of its own. */
export function osPurlTypeOf(id: string): { type: OsPackageType; namespace: string } | undefined {
  const d = byId.get(id);
  if (!d || (d.purl.ids && !d.purl.ids.includes(id))) return undefined;
  return { type: d.packageType, namespace: d.purl.namespace };
}

/** Whether an os-release without VERSION_ID still names a release (rolling distros, openSUSE Tumbleweed). */
export function mayOmitVersion(id: string): boolean {
  const d = byId.get(id);
  return d !== undefined && (d.rolling === true || (d.versionlessIds?.includes(id) ?? false));
}

/** Release files tried when os-release is missing or unknown, most specific first. */
export const RELEASE_FILES: readonly string[] = [...new Set(DISTROS.flatMap((d) => d.releaseFiles ?? []))];

/** Vendor prefixes of release-file first lines → os-release ID, most specific first. */
export const RELEASE_LINE_PREFIXES: readonly (readonly [string, string])[] = DISTROS.flatMap((d) => Object.entries(d.releaseLines ?? {}));

/** Lower-case prefixes of SBOM operating-system names → os-release ID. */
export const OS_NAME_PREFIXES: readonly (readonly [string, string])[] = DISTROS.flatMap((d) => (d.osNames ?? []).map((n) => [n, d.ids[0]!] as const));

// ---------------------------------------------------------------------------
// What matching asks (src/match/matcher.ts, src/match/severity.ts).

/**
 * The precedence of a distro's own feed among the distros' feeds (lower =
 * more specific: 0 tracker and secdb, 1 DSA/DLA/DTSA lists, 2 OVAL);
 * undefined when the source speaks for no distro release (OSV, NVD, …).
 */
export function distroSourcePriority(source: string): number | undefined {
  return feedPriority.get(source);
}

/** Whether an ecosystem family (`Red Hat`) uses rpm, whose feeds name binary packages without saying so. */
export function isRpmFamily(family: string): boolean {
  return byName.get(family)?.packageType === 'rpm';
}

/** Whether the `rating`s on an ecosystem family's (`Debian`) advisories are offered as the distro's own rating. */
export function ratesOwnSeverity(family: string): boolean {
  return byName.get(family)?.ratesOwnSeverity === true;
}

/** Whether a `Severity.source` (`debian`, `redhat`) is a distribution rating its own packages. */
export function isDistroRater(source: string): boolean {
  return raters.has(source);
}
