/**
 * Version validation of feed records: a range event whose version the
 * ecosystem's scheme rejects cannot be evaluated, so the advisory holding it
 * is skipped and counted (never matched with a guess). One call per version.
 */
import type { AffectedRange } from '../core/advisory.js';
import type { VersionScheme } from '../core/version.js';
import { schemeById, schemeForEcosystem } from '../versioning/index.js';

const schemes = new Map<string, VersionScheme | undefined>();

function schemeFor(ecosystem: string, rangeType?: string): VersionScheme | undefined {
  // OSV SEMVER ranges are SemVer 2.0 whatever the ecosystem (Go, crates.io, …).
  const key = rangeType === 'SEMVER' ? 'semver-range' : ecosystem;
  if (!schemes.has(key)) {
    schemes.set(key, rangeType === 'SEMVER' ? schemeById('semver') : schemeForEcosystem(ecosystem));
  }
  return schemes.get(key);
}

/** Why `version` is not a valid version of `ecosystem` (undefined when it is, or when no scheme is known). */
export function versionProblem(ecosystem: string, version: string, rangeType?: string): string | undefined {
  const scheme = schemeFor(ecosystem, rangeType);
  if (!scheme) return undefined;
  if (scheme.isValid(version)) return undefined;
  return `invalid ${scheme.id} version ${JSON.stringify(version)}`;
}

/**
 * The first problem in the range events, if any: an unknown range type, a
 * range without events, or a version the scheme rejects. `introduced: "0"`
 * and `limit: "*"` are OSV sentinels, not versions. GIT events are commits.
 */
export function rangeProblem(ecosystem: string, ranges: readonly AffectedRange[]): string | undefined {
  for (const range of ranges) {
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER' && range.type !== 'GIT') {
      return `unknown range type ${JSON.stringify(range.type)}`;
    }
    if (!Array.isArray(range.events) || range.events.length === 0) return `${range.type} range without events`;
    if (range.type === 'GIT') continue;
    for (const event of range.events) {
      const entries = Object.entries(event) as [string, unknown][];
      if (entries.length !== 1) return `range event must have exactly one key, got ${JSON.stringify(event)}`;
      const [kind, value] = entries[0] as [string, unknown];
      if (kind !== 'introduced' && kind !== 'fixed' && kind !== 'last_affected' && kind !== 'limit') {
        return `unknown range event ${JSON.stringify(kind)}`;
      }
      if (typeof value !== 'string' || value === '') return `range event ${kind} without a version`;
      if ((kind === 'introduced' && value === '0') || (kind === 'limit' && value === '*')) continue;
      const problem = versionProblem(ecosystem, value, range.type);
      if (problem) return `${kind}: ${problem}`;
    }
  }
  return undefined;
}
