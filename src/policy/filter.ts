/**
 * What a user asked to see: severity and status filters, `--ignore-unfixed`,
 * ignore-file rules and VEX statements turn findings into suppressed
 * findings, each with the rule or statement that removed it. What remains
 * decides `--exit-code`.
 */
import type { SeverityLevel, VulnStatus } from '../core/advisory.js';
import type { Finding, Suppressed } from '../core/finding.js';
import type { IgnoreRule } from './ignore-file.js';
import type { VexStatement } from './vex.js';

export interface Policy {
  /** Keep only these severities (all when undefined). */
  severities?: readonly SeverityLevel[];
  /** Drop findings without a fixed version. */
  ignoreUnfixed?: boolean;
  /** Drop findings with these statuses. */
  ignoreStatuses?: readonly VulnStatus[];
  ignoreRules?: readonly IgnoreRule[];
  vex?: readonly VexStatement[];
  /** "Today" for ignore-rule expiry (tests pass a fixed date). */
  now?: Date;
  /**
   * The image the findings are from, so a VEX statement about one image
   * build (a product pinned to a digest) is not applied to another. Unset:
   * image-level statements apply whatever their digest.
   */
  target?: { digest?: string; configDigest?: string };
}

export interface PolicyOutcome {
  findings: Finding[];
  suppressed: Suppressed[];
}

/** A purl without qualifiers and subpath; `withVersion: false` also drops `@version`. */
export function purlKey(purl: string, withVersion = true): string {
  let p = purl.split('#')[0] ?? purl;
  p = p.split('?')[0] ?? p;
  if (!withVersion) {
    const at = versionAt(p);
    if (at >= 0) p = p.slice(0, at);
  }
  return decodeURIComponent(p).toLowerCase();
}

/**
 * Where `@version` starts, or -1: an `@` after the last `/` (the name's), so
 * an npm scope written unencoded (`pkg:npm/@babel/core`) is not a version.
 */
function versionAt(purl: string): number {
  const p = purl.split(/[?#]/)[0] ?? purl;
  const at = p.lastIndexOf('@');
  return at > p.lastIndexOf('/') ? at : -1;
}

function purlMatches(pattern: string, purl: string): boolean {
  const versioned = versionAt(pattern) >= 0;
  return purlKey(pattern, versioned) === purlKey(purl, versioned);
}

/** `*` = any run of characters except `/`; `**` = anything. */
export function globMatches(glob: string, path: string): boolean {
  const g = glob.replace(/^\/+/, '');
  const re = new RegExp(
    `^${g
      .split('**')
      .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*')}$`,
  );
  return re.test(path.replace(/^\/+/, ''));
}

function idsOf(f: Finding): Set<string> {
  return new Set([f.id, ...f.aliases].map((s) => s.toUpperCase()));
}

function ruleApplies(rule: IgnoreRule, f: Finding, today: string): boolean {
  if (rule.expires && rule.expires < today) return false;
  if (!idsOf(f).has(rule.id.toUpperCase())) return false;
  if (rule.packages && !rule.packages.includes(f.package.name)) return false;
  if (rule.purls && !rule.purls.some((p) => purlMatches(p, f.package.purl))) return false;
  if (rule.paths && !rule.paths.some((g) => f.package.paths.some((p) => globMatches(g, p)))) return false;
  return true;
}

const isImageId = (id: string) => id.startsWith('pkg:oci/') || id.startsWith('sha256:');

/**
 * Whether an image product identifier names the scanned image: `pkg:oci/NAME`
 * (any build of it: the user chose to pass the statement), or a build pinned
 * by digest — `pkg:oci/NAME@sha256:…` or a bare `sha256:…` — only when that
 * is the image's manifest or config digest.
 */
function imageHit(id: string, target: Policy['target']): boolean {
  let digest: string | undefined = id.startsWith('sha256:') ? id : undefined;
  if (id.startsWith('pkg:oci/')) {
    const at = versionAt(id);
    if (at >= 0) digest = decodeURIComponent((id.split(/[?#]/)[0] ?? id).slice(at + 1));
  }
  if (digest === undefined || target === undefined) return true;
  return digest === target.digest || digest === target.configDigest;
}

function statementApplies(st: VexStatement, f: Finding, target: Policy['target']): boolean {
  const ids = idsOf(f);
  if (!ids.has(st.vulnerability.toUpperCase()) && !st.aliases.some((a) => ids.has(a.toUpperCase()))) return false;
  const packageHit = (id: string) => id.startsWith('pkg:') && purlMatches(id, f.package.purl);
  const aboutThisImage = st.products.some((p) => isImageId(p) && imageHit(p, target));
  if (st.subcomponents.length > 0) {
    // Limited to those packages, inside a product that is this image (or one Strata cannot tell apart).
    const inProduct = st.products.length === 0 || aboutThisImage || st.products.some((p) => !isImageId(p));
    return inProduct && st.subcomponents.some(packageHit);
  }
  if (st.products.length === 0) return true;
  // A statement about the image itself covers every package in it.
  return aboutThisImage || st.products.some(packageHit);
}

export function applyPolicy(findings: readonly Finding[], policy: Policy): PolicyOutcome {
  const today = (policy.now ?? new Date()).toISOString().slice(0, 10);
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const f of findings) {
    const vex = (policy.vex ?? []).find((st) => (st.status === 'not_affected' || st.status === 'fixed') && statementApplies(st, f, policy.target));
    if (vex) {
      const status = vex.status as 'not_affected' | 'fixed';
      suppressed.push({
        finding: f,
        by: 'vex',
        reason: `VEX ${status}${vex.justification ? ` (${vex.justification})` : ''}${vex.impact ? `: ${vex.impact}` : ''}`,
        statement: vex.origin,
        vex: { status, ...(vex.justification ? { justification: vex.justification } : {}) },
      });
      continue;
    }
    const rule = (policy.ignoreRules ?? []).find((r) => ruleApplies(r, f, today));
    if (rule) {
      suppressed.push({ finding: f, by: 'ignore-file', reason: rule.reason ?? `ignored by ${rule.origin}`, statement: rule.origin });
      continue;
    }
    if (policy.severities && !policy.severities.includes(f.severity)) {
      suppressed.push({ finding: f, by: 'severity', reason: `severity ${f.severity} not in --severity ${policy.severities.join(',')}` });
      continue;
    }
    if (policy.ignoreStatuses?.includes(f.status)) {
      suppressed.push({ finding: f, by: 'status', reason: `status ${f.status} ignored by --ignore-status` });
      continue;
    }
    if (policy.ignoreUnfixed && f.fixedVersion === undefined) {
      suppressed.push({ finding: f, by: 'unfixed', reason: 'no fixed version (--ignore-unfixed)' });
      continue;
    }
    kept.push(f);
  }
  return { findings: kept, suppressed };
}
