/**
 * How Debian tracker states become advisory statuses (Trivy's words, see
 * core/advisory.ts). Shared by the CVE list, the DSA/DLA/DTSA lists and the
 * tracker JSON, so the three agree.
 *
 *   fixed version V   → `fixed`, ranges [{introduced:"0"},{fixed:V}]
 *   <unfixed>         → `affected` (no fix yet, no ranges)
 *   <no-dsa>          → `will_not_fix` (minor issue, fixed in a point release if ever)
 *   <ignored>         → `will_not_fix`
 *   <postponed>       → `fix_deferred`
 *   <end-of-life>     → `end_of_life`
 *   <not-affected>    → `not_affected`
 *   <undetermined>    → `under_investigation`
 *   <removed>         → for a release line: `end_of_life` (the package left the
 *                       release, no fix will come for what is installed); for the
 *                       unstable line see debian-cve-list.ts.
 *   <itp>             → nothing: the package is not in Debian yet.
 */
import type { AffectedRange, Severity, VulnStatus } from '../../core/advisory.js';
import { ratingForWord } from '../cvss.js';
import type { PackageKind } from './debian-list.js';

export function fixedRanges(version: string): AffectedRange[] {
  return [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }];
}

export function statusForKind(kind: PackageKind): VulnStatus | undefined {
  switch (kind) {
    case 'fixed':
      return 'fixed';
    case 'unfixed':
      return 'affected';
    case 'no-dsa':
    case 'ignored':
      return 'will_not_fix';
    case 'postponed':
      return 'fix_deferred';
    case 'end-of-life':
    case 'removed':
      return 'end_of_life';
    case 'not-affected':
      return 'not_affected';
    case 'undetermined':
      return 'under_investigation';
    case 'itp':
      return undefined;
  }
}

/** `<no-dsa> (Minor issue)` — the tracker's own words for a state. */
export function stateNote(kind: PackageKind, description?: string): string {
  return description ? `<${kind}> (${description})` : `<${kind}>`;
}

/** The tracker's urgency (`low`, `medium**`, `unimportant`, `not yet assigned`) as a severity. */
export function urgencySeverity(urgency: string | undefined): Severity[] {
  if (!urgency) return [];
  const rating = ratingForWord(urgency);
  return [{ source: 'debian', type: 'rating', label: urgency, ...(rating ? { rating } : {}) }];
}
