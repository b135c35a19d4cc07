/**
 * CVSS helpers for feeds that publish a vector without a score (OSV records):
 * the CVSS v3.0/v3.1 base score from the specification's formula, and the
 * qualitative rating of a score. v4 vectors are kept without a score (its
 * scoring needs the 270-entry macro-vector table); NVD publishes v4 scores.
 */
import type { SeverityLevel } from '../core/advisory.js';

const AV: Record<string, number> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Record<string, number> = { L: 0.77, H: 0.44 };
const UI: Record<string, number> = { N: 0.85, R: 0.62 };
const CIA: Record<string, number> = { H: 0.56, L: 0.22, N: 0 };

/** CVSS v3.x "Roundup": the smallest number with one decimal >= x (v3.1 floating-point-safe form). */
function roundUp(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** Base score of a `CVSS:3.x/AV:…` vector, or undefined when it is not a complete v3 vector. */
export function cvss3BaseScore(vector: string): number | undefined {
  const parts = vector.split('/');
  if (!/^CVSS:3\.[01]$/.test(parts[0] ?? '')) return undefined;
  const m: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const [k, v] = p.split(':');
    if (k && v) m[k] = v;
  }
  const av = AV[m.AV ?? ''];
  const ac = AC[m.AC ?? ''];
  const ui = UI[m.UI ?? ''];
  const c = CIA[m.C ?? ''];
  const i = CIA[m.I ?? ''];
  const a = CIA[m.A ?? ''];
  const scope = m.S;
  if (av === undefined || ac === undefined || ui === undefined || c === undefined || i === undefined || a === undefined) return undefined;
  if (scope !== 'U' && scope !== 'C') return undefined;
  const prTable: Record<string, number> = scope === 'C' ? { N: 0.85, L: 0.68, H: 0.5 } : { N: 0.85, L: 0.62, H: 0.27 };
  const pr = prTable[m.PR ?? ''];
  if (pr === undefined) return undefined;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** The qualitative rating of a CVSS v3/v4 base score (v2 uses the same bands above 0, without CRITICAL). */
export function ratingForScore(score: number, version: 2 | 3 | 4 = 3): SeverityLevel {
  if (version === 2) return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'UNKNOWN';
}

/** A severity word as feeds write it (`High`, `MODERATE`, `important`) → level; unknown words → undefined. */
export function ratingForWord(word: string): SeverityLevel | undefined {
  switch (word.trim().toLowerCase().replace(/\*+$/, '')) {
    case 'critical':
      return 'CRITICAL';
    case 'high':
    case 'important':
      return 'HIGH';
    case 'medium':
    case 'moderate':
      return 'MEDIUM';
    case 'low':
    case 'negligible':
    case 'unimportant':
      return 'LOW';
    default:
      return undefined;
  }
}
