/**
 * The version-scheme registry: schemes by id, and the scheme each OSV
 * ecosystem uses. Adding a scheme is one module and one line here.
 */
import type { VersionScheme } from '../core/version.js';
import { apk } from './apk.js';
import { cargo } from './cargo.js';
import { composer } from './composer.js';
import { dpkg } from './dpkg.js';
import { gem } from './gem.js';
import { golang } from './golang.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { semver } from './semver.js';

export const SCHEMES: readonly VersionScheme[] = [dpkg, rpm, apk, semver, cargo, pep440, maven, golang, gem, nuget, composer];

export const SCHEME_IDS: readonly string[] = SCHEMES.map((s) => s.id);

const byId = new Map(SCHEMES.map((s) => [s.id, s]));

export function schemeById(id: string): VersionScheme | undefined {
  return byId.get(id);
}

/** OSV ecosystems without a `:release` suffix (or whose suffix is a URL). */
const EXACT = new Map<string, VersionScheme>(Object.entries({
  npm: semver,
  'crates.io': cargo,
  PyPI: pep440,
  Maven: maven,
  Go: golang,
  RubyGems: gem,
  NuGet: nuget,
  Packagist: composer,
  Wolfi: apk,
  Chainguard: apk,
}));

/** Distribution ecosystems, matched on the part before the first `:`. */
const FAMILY = new Map<string, VersionScheme>(Object.entries({
  Debian: dpkg,
  Ubuntu: dpkg,
  Alpine: apk,
  Wolfi: apk,
  Chainguard: apk,
  'Red Hat': rpm,
  'Rocky Linux': rpm,
  AlmaLinux: rpm,
  openSUSE: rpm,
  SUSE: rpm,
  'Photon OS': rpm,
  Mariner: rpm,
  'Azure Linux': rpm,
  'Amazon Linux': rpm,
  'Oracle Linux': rpm,
  Fedora: rpm,
  CentOS: rpm,
  // Maven and Packagist may carry `:<repository URL>`.
  Maven: maven,
  Packagist: composer,
}));

/** The scheme of an OSV ecosystem name (`Debian:12`, `Alpine:v3.20`, `PyPI`, …); undefined when unknown. */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const exact = EXACT.get(ecosystem);
  if (exact) return exact;
  const colon = ecosystem.indexOf(':');
  if (colon < 0) return undefined;
  return FAMILY.get(ecosystem.slice(0, colon));
}

export { apk, cargo, composer, dpkg, gem, golang, maven, nuget, pep440, rpm, semver };
export { affectedByFix, evaluateRanges } from './range.js';
