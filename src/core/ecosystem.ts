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
 *
 * Each family's naming rules live in its descriptor (src/core/distros.ts).
 */
import { distroById, distroByName } from './distros.js';

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

export { DEBIAN_CODENAMES } from './distros.js';

/** The package manager a distribution family (os-release ID) uses, when Strata knows the family. */
export function packageTypeOf(family: string): OsPackageType | undefined {
  return distroById(family)?.packageType;
}

/** Ecosystem used for OS packages when no distribution could be detected. */
export const FALLBACK_OS_ECOSYSTEM: Readonly<Record<OsPackageType, string>> = {
  deb: 'Debian',
  apk: 'Alpine',
  rpm: 'RPM',
};

/** The ecosystem name of a release: `Debian:12`, `Alpine:v3.20`, `Rocky Linux:9`, … (the family's descriptor names it). */
export function distroEcosystem(id: ReleaseId): string {
  const d = distroById(id.family);
  if (d) return d.ecosystem(id);
  return id.version ? `${id.family}:${id.version}` : id.family;
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
  const canonical = distroByName(ecosystem.slice(0, colon))?.canonical;
  return canonical?.(ecosystem.slice(colon + 1)) ?? ecosystem;
}
