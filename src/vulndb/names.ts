/**
 * Names shared by the database and matching: ecosystem names (OSV style),
 * package-name normalisation per ecosystem, and the distro release tables.
 * The matcher must look packages up with `normalizePackageName` so that both
 * sides agree (PyPI `Django_REST.framework` and `django-rest-framework` are one).
 */
import { canonicalOsEcosystem, DEBIAN_CODENAMES, distroEcosystem } from '../core/ecosystem.js';

/**
 * Normalises an ecosystem name as the database stores it, with the same
 * rules inventory uses to name a release (src/core/ecosystem.ts): OSV's
 * `Ubuntu:22.04:LTS` becomes `Ubuntu:22.04`, `Debian:unstable` becomes
 * `Debian:sid`, and so on; language ecosystems are kept.
 */
export function normalizeEcosystem(ecosystem: string): string {
  return canonicalOsEcosystem(ecosystem.trim());
}

export const DEBIAN_SID = distroEcosystem({ family: 'debian', version: 'sid' });

/** The part before `:` (`Debian:12` → `Debian`). */
export function ecosystemFamily(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

/**
 * The package name as stored and looked up, per the ecosystem's own rules
 * for which names are the same package:
 * - PyPI: PEP 503 (lower case, runs of `-_.` become `-`);
 * - crates.io: lower case, `_` = `-` (crates.io refuses names that differ only so);
 * - NuGet, Packagist, Hex: case-insensitive registries → lower case;
 * - everything else (npm, Go module paths, Maven coordinates, RubyGems, distro
 *   packages) is compared exactly.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  const family = ecosystemFamily(ecosystem);
  const n = name.trim();
  switch (family) {
    case 'PyPI':
      return n.toLowerCase().replace(/[-_.]+/g, '-');
    case 'crates.io':
      return n.toLowerCase().replace(/_/g, '-');
    case 'NuGet':
    case 'Packagist':
    case 'Hex':
      return n.toLowerCase();
    default:
      return n;
  }
}

/** Debian codenames → release numbers (OSV `Debian:<n>`). */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = DEBIAN_CODENAMES;

/**
 * The releases the security tracker tracks today (its JSON export lists
 * exactly these besides sid). A CVE/list entry whose release has no line of
 * its own yields an inherited advisory for each of them. Kept as data: when a
 * release leaves LTS or a new testing opens, this list changes.
 */
export const DEBIAN_TRACKED_RELEASES: readonly string[] = ['bullseye', 'bookworm', 'trixie', 'forky'];

/** `bookworm` → `Debian:12`, `sid`/`unstable` → `Debian:sid` (as inventory names a testing/unstable image), `experimental` → `Debian:experimental`; unknown → undefined. */
export function debianEcosystem(codename: string): string | undefined {
  const c = codename.toLowerCase();
  if (c === 'sid' || c === 'unstable') return DEBIAN_SID;
  if (c === 'experimental') return 'Debian:experimental';
  return DEBIAN_RELEASES[c] ? distroEcosystem({ family: 'debian', version: c }) : undefined;
}

/** Ubuntu codenames → VERSION_ID, for feeds that name releases by codename. */
export const UBUNTU_RELEASES: Readonly<Record<string, string>> = {
  trusty: '14.04',
  xenial: '16.04',
  bionic: '18.04',
  focal: '20.04',
  jammy: '22.04',
  kinetic: '22.10',
  lunar: '23.04',
  mantic: '23.10',
  noble: '24.04',
  oracular: '24.10',
  plucky: '25.04',
  questing: '25.10',
};

/**
 * Alpine ecosystems are `Alpine:v3.20` (OSV's form, the secdb's
 * `distroversion`). The development branch is `Alpine:edge`, as the secdb and
 * Trivy name it (OSV publishes no edge data); inventory maps an edge
 * os-release (VERSION_ID like `3.21.0_alpha20240807`) to it.
 */
export function alpineEcosystem(distroversion: string): string | undefined {
  const v = distroversion.trim();
  if (v === 'edge') return 'Alpine:edge';
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(v);
  return m ? `Alpine:v${m[1]}.${m[2]}` : undefined;
}
