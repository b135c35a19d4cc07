/**
 * OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation):
 * a version is affected when it is listed in `versions` or lies in any range.
 * Per range: outside every `limit` means unaffected; otherwise the events,
 * sorted by version (`introduced: "0"` first), are walked and `introduced`
 * opens, `fixed` (v >= fixed) and `last_affected` (v > last_affected) close.
 *
 * `ECOSYSTEM` ranges use the ecosystem's scheme; `SEMVER` ranges use SemVer
 * 2.0 precedence whatever the ecosystem (a leading `v` is tolerated, as Go
 * packages carry one). `GIT` ranges, ranges holding a version the scheme
 * cannot read, and ranges without `introduced` are skipped and reported in
 * `skipped`, never silently treated as matching or not matching.
 */
import type { AffectedRange, RangeEvent } from '../core/advisory.js';
import type { Ordering, RangeMatch, VersionScheme } from '../core/version.js';
import { invalidVersion } from './common.js';
import { compareSemVer2, parseSemVer2 } from './semver2.js';

type Compare = (a: string, b: string) => Ordering;

/** SemVer 2.0 precedence for `SEMVER` ranges. */
const SEMVER_RANGE: VersionScheme = {
  id: 'SemVer 2.0',
  compare(a, b) {
    const pa = parseSemVer2(a, { vPrefix: 'optional', shorthand: true });
    if (!pa) throw invalidVersion('SemVer 2.0', a);
    const pb = parseSemVer2(b, { vPrefix: 'optional', shorthand: true });
    if (!pb) throw invalidVersion('SemVer 2.0', b);
    return compareSemVer2(pa, pb);
  },
  isValid: (v) => parseSemVer2(v, { vPrefix: 'optional', shorthand: true }) !== undefined,
};

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Event {
  kind: Kind;
  version: string;
  /** Position in the advisory, to keep the sort stable. */
  index: number;
}

function eventOf(e: RangeEvent, index: number): Event | string {
  const keys = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter((k) => typeof e[k] === 'string');
  if (keys.length !== 1) return `event ${index} must have exactly one of introduced/fixed/last_affected/limit`;
  const kind = keys[0] as Kind;
  return { kind, version: e[kind] as string, index };
}

/** Event order: by version, `introduced: "0"` lowest; at equal versions `introduced` first. */
function sortEvents(events: Event[], cmp: Compare): Event[] {
  const rank = (e: Event) => (e.kind === 'introduced' ? 0 : 1);
  return [...events].sort((a, b) => {
    const a0 = a.kind === 'introduced' && a.version === '0';
    const b0 = b.kind === 'introduced' && b.version === '0';
    if (a0 || b0) return a0 && b0 ? a.index - b.index : a0 ? -1 : 1;
    return cmp(a.version, b.version) || rank(a) - rank(b) || a.index - b.index;
  });
}

function isSpecial(e: Event): boolean {
  return (e.kind === 'introduced' && e.version === '0') || (e.kind === 'limit' && e.version.includes('*'));
}

type RangeOutcome =
  | { kind: 'skipped'; why: string }
  | { kind: 'affected'; match: Omit<RangeMatch, 'skipped'> }
  | { kind: 'unaffected'; why: string };

function evaluateRange(scheme: VersionScheme, version: string, range: AffectedRange, rangeIndex: number): RangeOutcome {
  const where = `range ${rangeIndex} (${range.type})`;
  if (range.type === 'GIT') {
    return { kind: 'skipped', why: `${where}: GIT ranges name commits${range.repo ? ` of ${range.repo}` : ''}, not package versions` };
  }
  const s = range.type === 'SEMVER' ? SEMVER_RANGE : range.type === 'ECOSYSTEM' ? scheme : undefined;
  if (!s) return { kind: 'skipped', why: `${where}: unknown range type` };
  if (!s.isValid(version)) return { kind: 'skipped', why: `${where}: installed version ${version} is not a valid ${s.id} version` };
  const events: Event[] = [];
  for (const [i, raw] of range.events.entries()) {
    const e = eventOf(raw, i);
    if (typeof e === 'string') return { kind: 'skipped', why: `${where}: ${e}` };
    if (!isSpecial(e) && !s.isValid(e.version)) {
      return { kind: 'skipped', why: `${where}: ${e.kind} ${JSON.stringify(e.version)} is not a valid ${s.id} version` };
    }
    events.push(e);
  }
  if (!events.some((e) => e.kind === 'introduced')) return { kind: 'skipped', why: `${where}: no introduced event` };
  const cmp: Compare = (a, b) => s.compare(a, b);

  // BeforeLimits: with limit events, v must be below one of them.
  const limits = events.filter((e) => e.kind === 'limit');
  let limit: string | undefined;
  if (limits.length > 0) {
    const above = limits.filter((l) => l.version.includes('*') || cmp(version, l.version) < 0);
    if (above.length === 0) {
      return { kind: 'unaffected', why: `${where}: ${version} >= limit ${limits.map((l) => l.version).join(', ')}` };
    }
    const finite = above.filter((l) => !l.version.includes('*')).sort((a, b) => cmp(a.version, b.version));
    limit = finite[0]?.version;
  }

  const sorted = sortEvents(
    events.filter((e) => e.kind !== 'limit'),
    cmp,
  );
  let vulnerable = false;
  let opened: number | undefined;
  let decided: Event | undefined;
  for (const [i, e] of sorted.entries()) {
    if (e.kind === 'introduced' && (e.version === '0' || cmp(version, e.version) >= 0)) {
      vulnerable = true;
      opened = i;
      decided = e;
    } else if (e.kind === 'fixed' && cmp(version, e.version) >= 0) {
      vulnerable = false;
      decided = e;
    } else if (e.kind === 'last_affected' && cmp(version, e.version) > 0) {
      vulnerable = false;
      decided = e;
    }
  }
  if (!vulnerable || opened === undefined) {
    if (decided === undefined) {
      const first = sorted.find((e) => e.kind === 'introduced');
      return { kind: 'unaffected', why: `${where}: ${version} < introduced ${first?.version ?? '?'}` };
    }
    const op = decided.kind === 'fixed' ? '>=' : '>';
    return { kind: 'unaffected', why: `${where}: ${version} ${op} ${decided.kind} ${decided.version}` };
  }
  const introduced = sorted[opened] as Event;
  const upper = sorted.slice(opened + 1).find((e) => e.kind === 'fixed' || e.kind === 'last_affected');
  const parts = [`${version} >= introduced ${introduced.version}`];
  const match: Omit<RangeMatch, 'skipped'> = { affected: true, rangeIndex, introduced: introduced.version, reason: '' };
  if (upper?.kind === 'fixed') {
    parts.push(`< fixed ${upper.version}`);
    match.fixed = upper.version;
  } else if (upper?.kind === 'last_affected') {
    parts.push(`<= last_affected ${upper.version}`);
    match.lastAffected = upper.version;
  }
  if (limit !== undefined) {
    parts.push(`< limit ${limit}`);
    match.limit = limit;
  }
  match.reason = parts.join(' and ') + (upper ? '' : ' (no fixed version)');
  return { kind: 'affected', match };
}

function listed(scheme: VersionScheme, version: string, versions: readonly string[]): string | undefined {
  if (versions.includes(version)) return version;
  // The same version may be spelled differently (PyPI `1.0` and `1.0.0`, dpkg `1.0-0` and `1.0`).
  if (!scheme.isValid(version)) return undefined;
  return versions.find((v) => scheme.isValid(v) && scheme.compare(v, version) === 0);
}

/**
 * Is `version` affected by an advisory with these OSV `ranges` and
 * `versions`? The first range that contains it decides; the answer says
 * which range and events, in words a finding can quote.
 */
export function evaluateRanges(
  scheme: VersionScheme,
  version: string,
  ranges: readonly AffectedRange[],
  versions?: readonly string[],
): RangeMatch {
  const skipped: string[] = [];
  const unaffected: string[] = [];
  for (const [i, range] of ranges.entries()) {
    const outcome = evaluateRange(scheme, version, range, i);
    if (outcome.kind === 'affected') {
      return skipped.length > 0 ? { ...outcome.match, skipped } : outcome.match;
    }
    if (outcome.kind === 'skipped') skipped.push(outcome.why);
    else unaffected.push(outcome.why);
  }
  const withSkipped = (m: RangeMatch): RangeMatch => (skipped.length > 0 ? { ...m, skipped } : m);
  if (versions && versions.length > 0) {
    const hit = listed(scheme, version, versions);
    if (hit !== undefined) {
      return withSkipped({
        affected: true,
        listed: true,
        reason: hit === version ? `${version} is listed as affected` : `${version} is listed as affected (as ${hit})`,
      });
    }
    unaffected.push(`${version} is not among the ${versions.length} listed versions`);
  }
  if (unaffected.length === 0 && skipped.length === 0) return { affected: false, reason: 'the advisory has no ranges or versions' };
  const reason = unaffected.length > 0 ? `not affected: ${unaffected.join('; ')}` : 'not evaluated: every range was skipped';
  return withSkipped({ affected: false, reason });
}

/**
 * Distro-style advisories: the package is affected below `fixed`, or at any
 * version when there is no fix yet (`fixed` undefined).
 */
export function affectedByFix(scheme: VersionScheme, installed: string, fixed?: string): RangeMatch {
  if (fixed === undefined) {
    if (!scheme.isValid(installed)) {
      return { affected: false, reason: 'not evaluated', skipped: [`installed version ${installed} is not a valid ${scheme.id} version`] };
    }
    return { affected: true, introduced: '0', reason: `${installed}: no fixed version yet` };
  }
  const m = evaluateRanges(scheme, installed, [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }]);
  if (m.affected) {
    const { rangeIndex: _range, ...rest } = m;
    return { ...rest, reason: `${installed} < fixed ${fixed}` };
  }
  if (m.skipped) return { affected: false, reason: 'not evaluated', skipped: m.skipped.map((s) => s.replace(/^range 0 \(ECOSYSTEM\): /, '')) };
  return { affected: false, fixed, reason: `${installed} >= fixed ${fixed}` };
}
