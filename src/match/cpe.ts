/**
 * CPE matching against NVD configurations (`--cpe-match`), for packages no
 * ecosystem feed covers. It is the classic source of false positives, so it
 * is opt-in, uses only CPEs the inventory derived honestly, ignores
 * configurations that need another condition ("running on …"), and every
 * finding it makes says it came from CPE.
 */
import type { AdvisorySnapshot, CpeMatchRule, CpeProduct, VulnInfo } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { LayerInfo } from '../core/result.js';
import { findingLayer, findingPackage } from './finding.js';
import { chooseSeverity } from './severity.js';

interface CpeName {
  part: string;
  vendor: string;
  product: string;
  version: string;
}

/** Splits a CPE 2.3 formatted string, honouring `\:` escapes. */
export function parseCpe(cpe: string): CpeName | undefined {
  if (!cpe.startsWith('cpe:2.3:')) return undefined;
  const fields: string[] = [];
  let cur = '';
  for (let i = 8; i < cpe.length; i++) {
    const c = cpe[i] as string;
    if (c === '\\' && i + 1 < cpe.length) {
      cur += cpe[++i];
    } else if (c === ':') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  fields.push(cur);
  const [part, vendor, product, version] = fields;
  if (!part || !vendor || !product || version === undefined) return undefined;
  return { part, vendor: vendor.toLowerCase(), product: product.toLowerCase(), version };
}

/**
 * NVD versions are free-form (`1.1.1k`, `2.4.57`, `8.0.1-beta`): compare runs
 * of digits numerically and runs of letters lexically, missing parts as 0.
 */
export function compareLoose(a: string, b: string): -1 | 0 | 1 {
  const tok = (s: string) => s.toLowerCase().match(/\d+|[a-z]+/g) ?? [];
  const ta = tok(a);
  const tb = tok(b);
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const x = ta[i] ?? '0';
    const y = tb[i] ?? '0';
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (nx !== ny) {
      // 1.0 > 1.0rc1: a number outranks a letter suffix at the same place.
      return nx ? 1 : -1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function ruleMatches(rule: CpeMatchRule, version: string): boolean {
  const criteria = parseCpe(rule.criteria);
  if (!criteria) return false;
  if (criteria.version !== '*' && criteria.version !== '-') return compareLoose(version, criteria.version) === 0;
  const hasBound =
    rule.versionStartIncluding !== undefined ||
    rule.versionStartExcluding !== undefined ||
    rule.versionEndIncluding !== undefined ||
    rule.versionEndExcluding !== undefined;
  if (!hasBound) return false; // "every version" rules are too broad to trust
  if (rule.versionStartIncluding !== undefined && compareLoose(version, rule.versionStartIncluding) < 0) return false;
  if (rule.versionStartExcluding !== undefined && compareLoose(version, rule.versionStartExcluding) <= 0) return false;
  if (rule.versionEndIncluding !== undefined && compareLoose(version, rule.versionEndIncluding) > 0) return false;
  if (rule.versionEndExcluding !== undefined && compareLoose(version, rule.versionEndExcluding) >= 0) return false;
  return true;
}

function boundsText(rule: CpeMatchRule): string {
  const parts: string[] = [];
  if (rule.versionStartIncluding) parts.push(`>= ${rule.versionStartIncluding}`);
  if (rule.versionStartExcluding) parts.push(`> ${rule.versionStartExcluding}`);
  if (rule.versionEndIncluding) parts.push(`<= ${rule.versionEndIncluding}`);
  if (rule.versionEndExcluding) parts.push(`< ${rule.versionEndExcluding}`);
  return parts.length ? parts.join(' and ') : 'exact version';
}

/** The CPE product a package is looked up by, when its CPE is one the inventory derived. */
export function cpeProductOf(pkg: Package): CpeProduct | undefined {
  const cpe = pkg.cpe ? parseCpe(pkg.cpe) : undefined;
  return cpe ? { vendor: cpe.vendor, product: cpe.product } : undefined;
}

/** One vulnerability a package's CPE matches, with the first rule that matched. */
export interface CpeCandidate {
  id: string;
  rule: CpeMatchRule;
  version: string;
}

/** The NVD rules that match a package's CPE and version, one per vulnerability. */
export function cpeCandidates(pkg: Package, snapshot: AdvisorySnapshot): CpeCandidate[] {
  const cpe = pkg.cpe ? parseCpe(pkg.cpe) : undefined;
  if (!cpe) return [];
  const version = cpe.version !== '*' && cpe.version !== '-' && cpe.version !== '' ? cpe.version : pkg.version;
  const byVuln = new Map<string, CpeMatchRule>();
  for (const rule of snapshot.cpeMatches({ vendor: cpe.vendor, product: cpe.product })) {
    if (rule.conditional) continue;
    if (!ruleMatches(rule, version)) continue;
    if (!byVuln.has(rule.vulnerability)) byVuln.set(rule.vulnerability, rule);
  }
  return [...byVuln].map(([id, rule]) => ({ id, rule, version }));
}

/** The finding for a CPE candidate; undefined when the vulnerability is rejected. */
export function cpeFinding(pkg: Package, candidate: CpeCandidate, info: VulnInfo | undefined, layers: ReadonlyMap<string, LayerInfo>): Finding | undefined {
  if (info?.rejected) return undefined;
  const { id, rule, version } = candidate;
  const chosen = chooseSeverity([], info?.severity ?? []);
  const fixed = rule.versionEndExcluding;
  return {
    id,
    aliases: (info?.aliases ?? []).filter((a) => a !== id).sort(),
    package: findingPackage(pkg),
    installedVersion: version,
    ...(fixed ? { fixedVersion: fixed } : {}),
    status: fixed ? 'fixed' : 'affected',
    severity: chosen.severity,
    severitySource: chosen.source,
    cvss: chosen.cvss,
    ...(info?.kev ? { kev: info.kev } : {}),
    ...(info?.epss ? { epss: info.epss } : {}),
    ...findingLayer(pkg, layers),
    ...(info?.summary ? { title: info.summary } : {}),
    ...(info?.description ? { description: info.description } : {}),
    ...(info?.references?.length ? { references: info.references.slice(0, 20) } : {}),
    ...(info?.published ? { published: info.published } : {}),
    explanation: {
      matchedBy: 'cpe',
      lookupName: pkg.cpe ?? '',
      comparedVersion: version,
      scheme: 'cpe-loose',
      advisories: [{ id, source: 'nvd', ecosystem: 'cpe' }],
      rule: `CPE match (NVD configuration, not an ecosystem feed): ${rule.criteria} ${boundsText(rule)}`,
      ...(fixed ? { fixed } : {}),
    },
  };
}
