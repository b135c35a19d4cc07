/**
 * The version-scheme registry: schemes by id, and the scheme each OSV
 * ecosystem uses. Adding a scheme is one module and one line here; a
 * distribution names its scheme by id in its descriptor (src/core/distros.ts).
 */
import { DISTROS, type DistroDescriptor } from '../core/distros.js';
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

function distroScheme(d: DistroDescriptor): VersionScheme {
  const scheme = byId.get(d.scheme);
  if (!scheme) throw new Error(`distro ${d.name}: no version scheme "${d.scheme}"`);
  return scheme;
}

/** OSV ecosystems without a `:release` suffix (or whose suffix is a URL), and rolling distros (`Wolfi`). */
const EXACT = new Map<string, VersionScheme>([
  ...Object.entries({
    npm: semver,
    'crates.io': cargo,
    PyPI: pep440,
    Maven: maven,
    Go: golang,
    RubyGems: gem,
    NuGet: nuget,
    Packagist: composer,
  }),
  ...DISTROS.filter((d) => d.rolling).map((d) => [d.name, distroScheme(d)] as const),
]);

/** Distribution ecosystems (from their descriptors), matched on the part before the first `:`. */
const FAMILY = new Map<string, VersionScheme>([
  ...DISTROS.map((d) => [d.name, distroScheme(d)] as const),
  // Maven and Packagist may carry `:<repository URL>`.
  ['Maven', maven],
  ['Packagist', composer],
]);

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
