/**
 * The one place that names a distribution release as an ecosystem. Scanners
 * use it to label OS packages, the database uses it (through
 * `canonicalOsEcosystem`) to file advisories, so both sides always agree.
 *
 * Names follow OSV (https://ossf.github.io/osv-schema/#affectedpackage-field)
 * where OSV has the distribution: `Debian:12`, `Ubuntu:24.04`, `Alpine:v3.20`,
 * `Rocky Linux:9`, `AlmaLinux:9`, `Red Hat:enterprise_linux:9`,
 * `openSUSE:Leap 15.5`, `SUSE:Linux Enterprise Server 15 SP5`,
 * `Photon OS:5.0`, `Wolfi`, `Chainguard`. Distributions OSV does not carry
 * get names in the same style: `Amazon Linux:2023`, `Oracle Linux:9`,
 * `CentOS:7`, `Fedora:40`, `Mariner:2.0`, `Azure Linux:3.0`.
 */

export type OsPackageType = 'deb' | 'apk' | 'rpm';

/** Release identity as detection found it (os-release ID / VERSION_ID / PRETTY_NAME). */
export interface ReleaseId {
  /** os-release ID, lower case. */
  family: string;
  /** VERSION_ID or the release file's version; `sid` for Debian testing/unstable, `edge` for Alpine edge. */
  version: string;
  /** PRETTY_NAME: SUSE ecosystems are named after it. */
  prettyName?: string;
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

const PACKAGE_TYPE: Readonly<Record<string, OsPackageType>> = {
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

/** The package manager a distribution family uses, when Strata knows the family. */
export function packageTypeOf(family: string): OsPackageType | undefined {
  return PACKAGE_TYPE[family];
}

/** Ecosystem used for OS packages when no distribution could be detected. */
export const FALLBACK_OS_ECOSYSTEM: Readonly<Record<OsPackageType, string>> = {
  deb: 'Debian',
  apk: 'Alpine',
  rpm: 'RPM',
};

function major(version: string): string {
  const dot = version.indexOf('.');
  return dot < 0 ? version : version.slice(0, dot);
}

function majorMinor(version: string): string {
  const parts = version.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : version;
}

const isNumeric = (v: string) => /^\d+(\.\d+)*$/.test(v);

/**
 * A Debian point release (`12.7`, `6.0.10`) as distro-info-data numbers the
 * release: the major version since 7 (wheezy), major.minor before (`6.0`,
 * `3.1`), as OSV's `Debian:<RELEASE>` does.
 */
function debianRelease(version: string): string {
  const maj = Number(major(version));
  return maj >= 7 ? major(version) : majorMinor(version.includes('.') ? version : `${version}.0`);
}

/** `SUSE Linux Enterprise Server 15 SP5` from `15.5` when there is no PRETTY_NAME. */
function suseProduct(family: string, version: string): string {
  const [maj, min] = version.split('.');
  const sp = min && min !== '0' ? ` SP${min}` : '';
  const product = family === 'sled' ? 'Linux Enterprise Desktop' : family === 'sle-micro' || family === 'sl_micro' ? 'Linux Enterprise Micro' : 'Linux Enterprise Server';
  if (family === 'sle-micro' || family === 'sl_micro') return `${product} ${version}`;
  return `${product} ${maj ?? version}${sp}`;
}

/** The ecosystem name of a release: `Debian:12`, `Alpine:v3.20`, `Rocky Linux:9`, … */
export function distroEcosystem(id: ReleaseId): string {
  const { family, version } = id;
  const pretty = id.prettyName?.trim();
  switch (family) {
    case 'debian': {
      const numbered = isNumeric(version) ? version : DEBIAN_CODENAMES[version];
      return numbered ? `Debian:${debianRelease(numbered)}` : 'Debian:sid';
    }
    case 'ubuntu':
      return `Ubuntu:${majorMinor(version)}`;
    case 'alpine':
      return version === 'edge' ? 'Alpine:edge' : `Alpine:v${majorMinor(version)}`;
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'rhel':
      return `Red Hat:enterprise_linux:${major(version)}`;
    case 'centos':
      return `CentOS:${major(version)}`;
    case 'rocky':
      return `Rocky Linux:${major(version)}`;
    case 'almalinux':
      return `AlmaLinux:${major(version)}`;
    case 'fedora':
      return `Fedora:${major(version)}`;
    case 'amzn':
      // Amazon Linux 1 versions are dates (2011.09 … 2018.03); 2 and 2023 are plain.
      return /^20(0\d|1[0-8])\.\d/.test(version) ? 'Amazon Linux:1' : `Amazon Linux:${major(version)}`;
    case 'ol':
      return `Oracle Linux:${major(version)}`;
    case 'opensuse':
    case 'opensuse-leap':
    case 'opensuse-leap-micro':
    case 'opensuse-tumbleweed':
      if (pretty?.startsWith('openSUSE ')) return `openSUSE:${pretty.slice('openSUSE '.length)}`;
      if (family === 'opensuse-tumbleweed') return 'openSUSE:Tumbleweed';
      if (family === 'opensuse-leap-micro') return `openSUSE:Leap Micro ${version}`;
      return family === 'opensuse' ? `openSUSE:${version}` : `openSUSE:Leap ${version}`;
    case 'sles':
    case 'sled':
    case 'sles_sap':
    case 'sle-micro':
    case 'sl_micro':
      if (pretty?.startsWith('SUSE ')) return `SUSE:${pretty.slice('SUSE '.length)}`;
      return `SUSE:${suseProduct(family, version)}`;
    case 'photon':
      return `Photon OS:${majorMinor(version)}`;
    case 'mariner':
      return `Mariner:${majorMinor(version)}`;
    case 'azurelinux':
      return `Azure Linux:${majorMinor(version)}`;
    default:
      return version ? `${family}:${version}` : family;
  }
}

/**
 * Maps an ecosystem string as a feed writes it onto the name
 * `distroEcosystem` gives the same release, so advisories land where
 * detected images look for them: `Ubuntu:22.04:LTS` → `Ubuntu:22.04`,
 * `Red Hat:enterprise_linux:9::appstream` → `Red Hat:enterprise_linux:9`,
 * `AlmaLinux:9.3` → `AlmaLinux:9`, `Debian:bookworm` → `Debian:12`. Ubuntu
 * Pro (`Ubuntu:Pro:18.04:LTS` → `Ubuntu:Pro:18.04`) stays apart: those fixes
 * only reach Pro subscribers. Anything else is returned unchanged.
 */
export function canonicalOsEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  if (colon < 0) return ecosystem;
  const name = ecosystem.slice(0, colon);
  const rest = ecosystem.slice(colon + 1);
  switch (name) {
    case 'Ubuntu':
      return rest.endsWith(':LTS') ? `Ubuntu:${rest.slice(0, -':LTS'.length)}` : ecosystem;
    case 'Red Hat': {
      const m = /^enterprise_linux:(\d+)(?:\.\d+)?(?:::.*)?$/.exec(rest);
      return m ? `Red Hat:enterprise_linux:${m[1]}` : ecosystem;
    }
    case 'Debian':
      // Feeds spell the development release `unstable` or `sid`.
      return rest === 'unstable' ? 'Debian:sid' : distroEcosystem({ family: 'debian', version: rest });
    case 'AlmaLinux':
    case 'Rocky Linux':
    case 'CentOS':
    case 'Oracle Linux':
      return isNumeric(rest) ? `${name}:${major(rest)}` : ecosystem;
    case 'Alpine':
      return /^v\d+\.\d+\.\d+/.test(rest) ? `Alpine:${majorMinor(rest)}` : ecosystem;
    default:
      return ecosystem;
  }
}
