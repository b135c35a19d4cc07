/**
 * RubyGems versions ordered as Gem::Version#<=> (rubygems 3.x): segments are
 * runs of digits or letters; `-` means `.pre.`; trailing zeros are dropped
 * from the release part and from the pre-release part; a letter segment sorts
 * before any number; missing segments count as 0. An empty version is `0`.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareNumericStrings, compareStrings, invalidVersion } from './common.js';

// Gem::Version::ANCHORED_VERSION_PATTERN; Ruby's \s is [ \t\r\n\f\v].
const PATTERN = /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*$/;

type Segment = string; // digits or letters; digits are numbers

const isNum = (s: Segment) => s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57;
const isZero = (s: Segment) => /^0+$/.test(s);

function dropTrailingZeros(segs: Segment[]): Segment[] {
  let end = segs.length;
  while (end > 0 && isZero(segs[end - 1] as Segment)) end--;
  return segs.slice(0, end);
}

export function canonicalGemSegments(v: string): Segment[] | undefined {
  const m = PATTERN.exec(v);
  if (!m) return undefined;
  const body = (m[1] ?? '0').replaceAll('-', '.pre.');
  const segments = body.match(/[0-9]+|[a-z]+/gi) ?? [];
  const firstString = segments.findIndex((s) => !isNum(s));
  if (firstString === -1) return dropTrailingZeros(segments);
  return [...dropTrailingZeros(segments.slice(0, firstString)), ...dropTrailingZeros(segments.slice(firstString))];
}

function compareSegments(a: Segment[], b: Segment[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? '0';
    const r = b[i] ?? '0';
    const ln = isNum(l);
    const rn = isNum(r);
    if (ln && rn) {
      const c = compareNumericStrings(l, r);
      if (c !== 0) return c;
    } else if (!ln && rn) return -1;
    else if (ln && !rn) return 1;
    else {
      const c = compareStrings(l, r);
      if (c !== 0) return c;
    }
  }
  return 0;
}

export const gem: VersionScheme = {
  id: 'gem',
  compare(a: string, b: string): Ordering {
    const sa = canonicalGemSegments(a);
    if (!sa) throw invalidVersion('gem', a);
    const sb = canonicalGemSegments(b);
    if (!sb) throw invalidVersion('gem', b);
    return compareSegments(sa, sb);
  },
  isValid: (v: string) => PATTERN.test(v),
};
