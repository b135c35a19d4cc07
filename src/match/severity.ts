/**
 * Which severity a finding shows, and why: the distro's own rating where it
 * has one (Debian urgency, Ubuntu priority), else CVSS from NVD or the
 * advisory (v4 → v3.1 → v3.0 → v2), else the advisory's own word (GHSA
 * `HIGH`), else UNKNOWN. Scores missing from a feed are computed from the
 * vector with ae-cvss-calculator (all four CVSS versions, incl. v4's
 * macro-vector table).
 */
import { isDistroRater } from '../core/distros.js';
import type cvssCalculatorModule from 'ae-cvss-calculator';
import type { Severity, SeverityLevel } from '../core/advisory.js';
import type { CvssScore } from '../core/finding.js';
import { lazyRequire } from '../util/lazy-require.js';

const cvssCalculator = lazyRequire<typeof cvssCalculatorModule>('ae-cvss-calculator');

/** Sources whose `rating` is a distribution's own judgement for its packages. */

export interface ChosenSeverity {
  severity: SeverityLevel;
  source: string;
  cvss: CvssScore[];
}

const scoreCache = new Map<string, number | undefined>();

function cvssVersion(s: Severity): CvssScore['version'] | undefined {
  if (s.type === 'CVSS_V4') return '4.0';
  if (s.type === 'CVSS_V2') return '2.0';
  if (s.type === 'CVSS_V3') return s.vector?.startsWith('CVSS:3.0/') ? '3.0' : '3.1';
  return undefined;
}

/** The base score of a vector; undefined when the vector does not parse. */
export function scoreOf(version: CvssScore['version'], vector: string): number | undefined {
  const key = `${version} ${vector}`;
  if (scoreCache.has(key)) return scoreCache.get(key);
  let score: number | undefined;
  try {
    const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator();
    const calc =
      version === '4.0'
        ? new Cvss4P0(vector)
        : version === '3.1'
          ? new Cvss3P1(vector)
          : version === '3.0'
            ? new Cvss3P0(vector)
            : new Cvss2(vector.replace(/^\(|\)$/g, ''));
    const s = calc.calculateScores().base;
    score = typeof s === 'number' && Number.isFinite(s) ? s : undefined;
  } catch {
    score = undefined;
  }
  scoreCache.set(key, score);
  return score;
}

export function levelForScore(score: number, version: CvssScore['version']): SeverityLevel {
  if (version === '2.0') return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : score > 0 ? 'LOW' : 'UNKNOWN';
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

/** Every CVSS rating among the severities, with a score (computed when the feed gave only a vector), deduplicated. */
export function cvssScores(severities: readonly Severity[]): CvssScore[] {
  const out: CvssScore[] = [];
  const seen = new Set<string>();
  for (const s of severities) {
    const version = cvssVersion(s);
    if (!version || !s.vector) continue;
    const key = `${s.source} ${s.vector}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const score = s.score ?? scoreOf(version, s.vector);
    out.push({ source: s.source, version, vector: s.vector, ...(score !== undefined ? { score } : {}) });
  }
  return out;
}

const VERSION_ORDER: readonly CvssScore['version'][] = ['4.0', '3.1', '3.0', '2.0'];
/** NVD first, then GHSA, then whoever else published a vector. */
const CVSS_SOURCE_ORDER = ['nvd', 'ghsa', 'osv'];

function sourceRank(source: string): number {
  const i = CVSS_SOURCE_ORDER.indexOf(source);
  return i < 0 ? CVSS_SOURCE_ORDER.length : i;
}

/**
 * @param distroSeverities ratings from the distro advisories that matched (OS packages only)
 * @param otherSeverities NVD and advisory CVSS vectors and words
 */
export function chooseSeverity(distroSeverities: readonly Severity[], otherSeverities: readonly Severity[]): ChosenSeverity {
  const cvss = cvssScores([...otherSeverities, ...distroSeverities]);
  const distroRating = distroSeverities.find((s) => s.type === 'rating' && s.rating && s.rating !== 'UNKNOWN' && isDistroRater(s.source));
  if (distroRating?.rating) return { severity: distroRating.rating, source: distroRating.source, cvss };

  const scored = cvss
    .filter((c) => c.score !== undefined)
    .sort((a, b) => VERSION_ORDER.indexOf(a.version) - VERSION_ORDER.indexOf(b.version) || sourceRank(a.source) - sourceRank(b.source));
  const best = scored[0];
  if (best?.score !== undefined) return { severity: levelForScore(best.score, best.version), source: `${best.source} (CVSS ${best.version})`, cvss };

  // A distro's word rates its own packages, not an npm module or Go's stdlib.
  const word = otherSeverities.find((s) => s.type === 'rating' && s.rating && s.rating !== 'UNKNOWN' && !isDistroRater(s.source));
  if (word?.rating) return { severity: word.rating, source: word.source, cvss };
  return { severity: 'UNKNOWN', source: 'none', cvss };
}
