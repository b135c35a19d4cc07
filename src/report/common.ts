/**
 * What every report format shares: severity order, the stable sort orders
 * that make reports diff cleanly, the split of a scan into targets (the OS
 * packages, then each language manifest or binary), and vulnerability links.
 */
import type { SeverityLevel, VulnStatus } from '../core/advisory.js';
import { SEVERITY_LEVELS, VULN_STATUSES } from '../core/advisory.js';
import { DISTROS } from '../core/distros.js';
import { FALLBACK_OS_ECOSYSTEM } from '../core/ecosystem.js';
import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { LayerInfo, ScanResult } from '../core/result.js';

const SEVERITY_RANK: Record<SeverityLevel, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, UNKNOWN: 0 };

export function severityRank(s: SeverityLevel): number {
  return SEVERITY_RANK[s] ?? 0;
}

/** Plain code-unit comparison: locale-independent, so output is identical on every machine. */
export function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Packages by ecosystem, name, version, then purl and first path (two copies of one npm package at two paths). */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareStrings(a.ecosystem, b.ecosystem) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.purl, b.purl) ||
    compareStrings(a.paths[0], b.paths[0])
  );
}

/** Findings by severity (worst first), then vulnerability id, then package. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.id, b.id) ||
    compareStrings(a.package.ecosystem, b.package.ecosystem) ||
    compareStrings(a.package.name, b.package.name) ||
    compareStrings(a.package.version, b.package.version) ||
    compareStrings(a.package.purl, b.package.purl) ||
    compareStrings(a.package.paths[0], b.package.paths[0])
  );
}

export function sortedPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(comparePackages);
}

export function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export type SeverityCounts = Record<SeverityLevel, number>;
export type StatusCounts = Record<VulnStatus, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts = Object.fromEntries(SEVERITY_LEVELS.map((s) => [s, 0])) as SeverityCounts;
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}

export function countByStatus(findings: readonly Finding[]): StatusCounts {
  const counts = Object.fromEntries(VULN_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const f of findings) counts[f.status] = (counts[f.status] ?? 0) + 1;
  return counts;
}

/** The level GitHub, NVD and CycloneDX attach to a CVSS base score. */
export function severityFromScore(score: number): SeverityLevel {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

/** Where a user reads about a vulnerability: the id's home database, else its first reference, else OSV. */
export function primaryUrl(id: string, references: readonly string[] = []): string {
  const enc = encodeURIComponent(id);
  if (/^CVE-\d+-\d+$/i.test(id)) return `https://nvd.nist.gov/vuln/detail/${id.toUpperCase()}`;
  if (/^GHSA-/i.test(id)) return `https://github.com/advisories/${enc}`;
  if (/^GO-\d+-\d+$/.test(id)) return `https://pkg.go.dev/vuln/${enc}`;
  if (/^(DSA|DLA|DTSA|TEMP)-/.test(id)) return `https://security-tracker.debian.org/tracker/${enc}`;
  if (/^RUSTSEC-/.test(id)) return `https://rustsec.org/advisories/${enc}.html`;
  if (/^USN-/.test(id)) return `https://ubuntu.com/security/notices/${enc}`;
  if (/^(RHSA|RHBA|RHEA)-/.test(id)) return `https://access.redhat.com/errata/${enc}`;
  const first = references.find((r) => /^https?:\/\//.test(r));
  if (first) return first;
  return `https://osv.dev/vulnerability/${enc}`;
}

/** The database a vulnerability id belongs to (CycloneDX `vulnerabilities[].source`). */
export function vulnerabilitySource(id: string): { name: string; url: string } {
  const url = primaryUrl(id);
  if (/^CVE-/i.test(id)) return { name: 'NVD', url };
  if (/^GHSA-/i.test(id)) return { name: 'GitHub Advisory Database', url };
  if (/^GO-/.test(id)) return { name: 'Go Vulnerability Database', url };
  if (/^(DSA|DLA|DTSA|TEMP)-/.test(id)) return { name: 'Debian Security Tracker', url };
  if (/^RUSTSEC-/.test(id)) return { name: 'RustSec Advisory Database', url };
  if (/^USN-/.test(id)) return { name: 'Ubuntu Security Notices', url };
  if (/^(RHSA|RHBA|RHEA)-/.test(id)) return { name: 'Red Hat Product Errata', url };
  return { name: 'OSV', url };
}

/** First line of a text, for one-line table cells and SARIF short descriptions. */
export function firstLine(text: string | undefined): string {
  if (!text) return '';
  return text.trim().split(/\r?\n/, 1)[0]!.trim();
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - 1)).trimEnd() + '…';
}

export function layerByDiffId(result: ScanResult, diffId: string | undefined): LayerInfo | undefined {
  if (!diffId) return undefined;
  return result.layers.find((l) => l.diffId === diffId);
}

// ---------------------------------------------------------------------------
// Targets: how a scan is grouped for people (table) and for GitHub (manifests).

/** Display names of the ecosystems whose packages are found one metadata file per package. */
const LANGUAGE_NAMES: Record<string, string> = {
  npm: 'Node.js',
  PyPI: 'Python',
  Maven: 'Java',
  RubyGems: 'Ruby',
  Go: 'Go',
  'crates.io': 'Rust',
  Packagist: 'PHP',
  NuGet: '.NET',
  Pub: 'Dart',
  Hex: 'Elixir',
};

/**
 * Files that describe one installed package each (a node_modules package.json,
 * a dist-info METADATA, a gemspec, a jar). Making each its own target would
 * bury the table in one-line groups, so these gather under the language's name,
 * the way Trivy does; lockfiles and binaries stay targets of their own.
 */
const PER_PACKAGE_METADATA = [
  /(^|\/)package\.json$/,
  /\.dist-info\/METADATA$/,
  /\.egg-info(\/PKG-INFO)?$/,
  /(^|\/)PKG-INFO$/,
  /\.gemspec$/,
  /\.(jar|war|ear|par|sar|hpi|jpi)(!.*)?$/i,
  /(^|\/)pom\.properties$/,
  /\.nuspec$/,
];

export type TargetKind = 'os' | 'lang';

export interface Target {
  /** What the user sees: `docker.io/library/debian:12 (debian 12.4)`, `usr/local/bin/esbuild`, `Python`. */
  name: string;
  kind: TargetKind;
  /** The scanner (or OS family) that produced it: `debian`, `go-binary`, `npm`, … */
  type: string;
  /** The manifest or binary inside the image, when the target is one file. */
  path?: string;
  packages: Package[];
  findings: Finding[];
}

interface PackageLike {
  ecosystem: string;
  paths: readonly string[];
}

/** Distribution ecosystems (the part before the first `:`), rolling ones without a release included, and the package managers' fallbacks (`RPM`). */
const OS_ECOSYSTEMS = new Set([...DISTROS.map((d) => d.name), ...Object.values(FALLBACK_OS_ECOSYSTEM)]);

/** For a finding whose package is not in the inventory: is its ecosystem a distribution's? */
export function isOsEcosystem(ecosystem: string): boolean {
  return OS_ECOSYSTEMS.has(ecosystem.split(':', 1)[0]!) || (!(ecosystem in LANGUAGE_NAMES) && ecosystem.includes(':'));
}

function langTargetKey(pkg: PackageLike): { name: string; path?: string } {
  const path = pkg.paths[0];
  const language = LANGUAGE_NAMES[pkg.ecosystem] ?? pkg.ecosystem;
  if (!path || PER_PACKAGE_METADATA.some((re) => re.test(path))) return { name: language };
  return { name: path, path };
}

export function osTargetName(result: ScanResult): string {
  const os = result.os;
  if (!os) return `${result.artifact.name} (unknown OS)`;
  return `${result.artifact.name} (${os.family} ${os.version})`;
}

/**
 * Splits a scan into targets: the OS packages as one target (always present
 * for an image with a known OS), then each language target in name order.
 * Each finding joins the target of the package it is about.
 */
export function targetsOf(result: ScanResult): Target[] {
  const byPurl = new Map<string, Package>();
  for (const p of result.packages) if (!byPurl.has(p.purl)) byPurl.set(p.purl, p);

  const targets = new Map<string, Target>();
  const osName = osTargetName(result);
  const osType = result.os?.family ?? 'os';
  const targetFor = (kind: TargetKind, pkg: PackageLike, foundBy: string): Target => {
    const key = kind === 'os' ? { name: osName } : langTargetKey(pkg);
    const mapKey = `${kind}\u0000${key.name}`;
    let t = targets.get(mapKey);
    if (!t) {
      t = { name: key.name, kind, type: kind === 'os' ? osType : foundBy, packages: [], findings: [] };
      if (key.path) t.path = key.path;
      targets.set(mapKey, t);
    }
    return t;
  };

  if (result.os) targetFor('os', { ecosystem: result.os.ecosystem, paths: [] }, osType);
  for (const p of result.packages) targetFor(p.kind, p, p.foundBy).packages.push(p);
  for (const f of result.findings) {
    const pkg = byPurl.get(f.package.purl);
    const kind: TargetKind = pkg?.kind ?? (isOsEcosystem(f.package.ecosystem) ? 'os' : 'lang');
    targetFor(kind, pkg ?? f.package, pkg?.foundBy ?? f.package.ecosystem).findings.push(f);
  }

  return [...targets.values()].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === 'os' ? -1 : 1;
    return compareStrings(a.name, b.name);
  });
}

// ---------------------------------------------------------------------------
// Image identity as a package URL (CycloneDX metadata component, SPDX, GitHub).

/** Splits a normalised reference (`registry/repo:tag`, `registry/repo@sha256:…`) into repository and tag. */
export function splitReference(ref: string): { repository: string; tag?: string } {
  const noDigest = ref.split('@', 1)[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon > slash) return { repository: noDigest.slice(0, colon), tag: noDigest.slice(colon + 1) };
  return { repository: noDigest };
}

/**
 * `pkg:oci/<name>@<digest>?arch=…&repository_url=…&tag=…` (purl-spec `oci`
 * type) for an image with a manifest digest; undefined otherwise.
 */
export function ociPurl(result: ScanResult): string | undefined {
  const a = result.artifact;
  if (a.type !== 'container_image' || !a.digest) return undefined;
  const { repository, tag } = splitReference(a.name);
  const name = repository.slice(repository.lastIndexOf('/') + 1).toLowerCase();
  const q: string[] = [];
  if (a.platform?.architecture) q.push(`arch=${encodeURIComponent(a.platform.architecture)}`);
  q.push(`repository_url=${encodeURIComponent(repository.toLowerCase())}`);
  if (tag) q.push(`tag=${encodeURIComponent(tag)}`);
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(a.digest)}?${q.join('&')}`;
}
