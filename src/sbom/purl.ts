/**
 * A package URL as Strata's package identity: ecosystem (OSV names), name as
 * the ecosystem writes it, version (rpm epoch restored), kind, arch, and the
 * source package from the `upstream=` qualifier.
 */
import { PackageURL } from 'packageurl-js';
import type { PackageKind } from '../core/package.js';
import { distroById, idOfPurlNamespace } from '../core/distros.js';
import { DEBIAN_CODENAMES, distroEcosystem, FALLBACK_OS_ECOSYSTEM, packageTypeOf } from '../core/ecosystem.js';

/** Language purl types and their OSV ecosystem. */
const LANG_ECOSYSTEM: Readonly<Record<string, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
  pub: 'Pub',
  hex: 'Hex',
  hackage: 'Hackage',
  cran: 'CRAN',
  swift: 'SwiftURL',
  conan: 'ConanCenter',
};

/** OS package purl types: the package managers Strata reads (`deb`, `apk`, `rpm`). */
const OS_TYPES = new Set<string>(Object.keys(FALLBACK_OS_ECOSYSTEM));

export interface DistroHint {
  family: string;
  version?: string;
}

export interface PurlPackage {
  type: string;
  kind: PackageKind;
  /** Undefined for OS packages until the distro is known (see `osEcosystem`). */
  ecosystem?: string;
  name: string;
  /** The purl's own version (epoch restored for rpm, `go` prefix dropped for the Go toolchain). */
  version?: string;
  arch?: string;
  /** From `upstream=`: `openssl`, `glibc@2.36-9`, `openssl-3.0.7-24.el9.src.rpm`. */
  upstream?: { name: string; version?: string };
  /** From the `distro=` qualifier and the namespace. */
  distro?: DistroHint;
}

export class PurlError extends Error {}

/** `family` of a distro qualifier or namespace, normalised to os-release IDs (`redhat` → `rhel`; an ID stays itself). */
export function family(name: string): string {
  const n = name.toLowerCase();
  return idOfPurlNamespace(n) ?? n;
}

/** `debian-12`, `debian-12.4`, `alpine-3.19.1`, `3.19.1`, `bookworm`, `opensuse-leap-15.5`. */
export function parseDistroQualifier(value: string | undefined, namespace: string | undefined): DistroHint | undefined {
  const ns = namespace ? family(namespace) : undefined;
  if (!value) return ns ? { family: ns } : undefined;
  const m = /^(.*?)-(\d[\w.+~-]*)$/.exec(value);
  if (m && m[1]) return { family: family(m[1]), version: m[2]! };
  if (/^\d/.test(value)) return ns ? { family: ns, version: value } : undefined;
  const codename = DEBIAN_CODENAMES[value.toLowerCase()];
  if (codename) return { family: 'debian', version: codename };
  return ns ? { family: ns } : undefined;
}

/** OSV ecosystem for a distro hint; undefined without a version (except rolling distros). */
export function ecosystemForDistro(hint: DistroHint): string | undefined {
  if (distroById(hint.family)?.rolling) return distroEcosystem({ family: hint.family, version: '' });
  if (!hint.version) return undefined;
  return distroEcosystem({ family: hint.family, version: hint.version });
}

function parseUpstream(type: string, value: string | undefined): PurlPackage['upstream'] {
  if (!value) return undefined;
  if (type === 'rpm') {
    // A source RPM file name: name-version-release.src.rpm.
    const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(value);
    if (m) return { name: m[1]!, version: `${m[2]}-${m[3]}` };
  }
  const at = value.indexOf('@');
  if (at > 0) return { name: value.slice(0, at), version: value.slice(at + 1) };
  return { name: value };
}

/** Reads a purl; throws PurlError for unparsable purls and types Strata does not scan. */
export function packageFromPurl(text: string): PurlPackage {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(text);
  } catch (e) {
    throw new PurlError(`invalid package URL "${text}": ${e instanceof Error ? e.message : String(e)}`);
  }
  const q = (p.qualifiers ?? {}) as Record<string, string | undefined>;
  const ns = p.namespace ?? undefined;

  if (OS_TYPES.has(p.type)) {
    let version = p.version ?? undefined;
    const epoch = q.epoch;
    if (p.type === 'rpm' && version && epoch && epoch !== '0' && !/^\d+:/.test(version)) version = `${epoch}:${version}`;
    const distro = parseDistroQualifier(q.distro, ns);
    const out: PurlPackage = { type: p.type, kind: 'os', name: p.name };
    if (version) out.version = version;
    if (q.arch) out.arch = q.arch;
    const upstream = parseUpstream(p.type, q.upstream);
    if (upstream) out.upstream = upstream;
    if (distro && packageTypeOf(distro.family) === p.type) out.distro = distro;
    return out;
  }

  const ecosystem = LANG_ECOSYSTEM[p.type];
  if (!ecosystem) throw new PurlError(`package type "${p.type}" is not one Strata matches`);
  let name = p.name;
  if (p.type === 'maven') name = ns ? `${ns}:${p.name}` : p.name;
  else if (ns && (p.type === 'npm' || p.type === 'golang' || p.type === 'composer' || p.type === 'swift')) name = `${ns}/${p.name}`;
  let version = p.version ?? undefined;
  if (p.type === 'golang' && name === 'stdlib' && version) version = version.replace(/^go(?=\d)/, '');
  const out: PurlPackage = { type: p.type, kind: 'lang', ecosystem, name };
  if (version) out.version = version;
  if (q.arch) out.arch = q.arch;
  return out;
}
