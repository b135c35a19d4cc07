/**
 * RPM versions ([epoch:]version[-release]) ordered as rpm's rpmvercmp() and
 * rpmverCmp() do (rpm 4.18): segments of letters or digits, anything else a
 * separator; `~` sorts before everything, `^` after the base version but before
 * anything else; digits beat letters; a missing epoch is 0; a missing release
 * sorts before any release (rpm.ver('1.0') < rpm.ver('1.0-1')).
 *
 * Written here because no maintained npm comparator exists; the hot path is
 * index arithmetic on the strings, no allocation.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareDigitRuns, invalidVersion, isAlphaCode, isDigitCode } from './common.js';

const TILDE = 126;
const CARET = 94;

function isAlnum(c: number): boolean {
  return isDigitCode(c) || isAlphaCode(c);
}

/** rpmvercmp() over a[as, ae) and b[bs, be). */
export function rpmvercmp(a: string, as: number, ae: number, b: string, bs: number, be: number): Ordering {
  // Identical strings are equal even when their separators would otherwise differ.
  if (ae - as === be - bs) {
    let same = true;
    for (let i = 0; i < ae - as; i++) {
      if (a.charCodeAt(as + i) !== b.charCodeAt(bs + i)) {
        same = false;
        break;
      }
    }
    if (same) return 0;
  }
  let i = as;
  let j = bs;
  while (i < ae || j < be) {
    while (i < ae) {
      const c = a.charCodeAt(i);
      if (isAlnum(c) || c === TILDE || c === CARET) break;
      i++;
    }
    while (j < be) {
      const c = b.charCodeAt(j);
      if (isAlnum(c) || c === TILDE || c === CARET) break;
      j++;
    }
    const ca = i < ae ? a.charCodeAt(i) : -1;
    const cb = j < be ? b.charCodeAt(j) : -1;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (ca < 0) return -1;
      if (cb < 0) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca < 0 || cb < 0) break;
    let ie = i;
    let je = j;
    if (isDigitCode(ca)) {
      while (ie < ae && isDigitCode(a.charCodeAt(ie))) ie++;
      while (je < be && isDigitCode(b.charCodeAt(je))) je++;
      // A numeric segment is newer than an alphabetic one.
      if (je === j) return 1;
      const r = compareDigitRuns(a, i, ie, b, j, je);
      if (r !== 0) return r;
    } else {
      while (ie < ae && isAlphaCode(a.charCodeAt(ie))) ie++;
      while (je < be && isAlphaCode(b.charCodeAt(je))) je++;
      if (je === j) return -1;
      // strcmp of the two segments.
      const la = ie - i;
      const lb = je - j;
      const n = la < lb ? la : lb;
      for (let k = 0; k < n; k++) {
        const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      if (la !== lb) return la < lb ? -1 : 1;
    }
    i = ie;
    j = je;
  }
  if (i >= ae && j >= be) return 0;
  return i >= ae ? -1 : 1;
}

/** Why `v` is not a well-formed EVR, or undefined. */
function reason(v: string): string | undefined {
  const len = v.length;
  if (len === 0) return 'empty version';
  let start = 0;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    if (colon === 0) return 'empty epoch';
    for (let i = 0; i < colon; i++) if (!isDigitCode(v.charCodeAt(i))) return 'epoch is not a number';
    start = colon + 1;
  }
  const hyphen = v.lastIndexOf('-');
  const vEnd = hyphen >= start ? hyphen : len;
  if (vEnd === start) return 'empty version';
  if (hyphen >= start && hyphen === len - 1) return 'empty release';
  for (let i = start; i < len; i++) {
    const c = v.charCodeAt(i);
    if (i === vEnd) continue;
    // rpmbuild's allowed characters for Version and Release.
    if (!isAlnum(c) && c !== 46 && c !== 95 && c !== 43 && c !== TILDE && c !== CARET) {
      return `invalid character ${JSON.stringify(v[i])}`;
    }
  }
  return undefined;
}

function check(v: string): void {
  const why = reason(v);
  if (why !== undefined) throw invalidVersion('rpm', v, why);
}

export function compareRpm(a: string, b: string): Ordering {
  check(a);
  if (a === b) return 0;
  check(b);
  const ca = a.indexOf(':');
  const cb = b.indexOf(':');
  // Epochs: missing is 0, compared numerically.
  const r0 = compareDigitRuns(a, 0, ca < 0 ? 0 : ca, b, 0, cb < 0 ? 0 : cb);
  if (r0 !== 0) return r0;
  const ha = a.lastIndexOf('-');
  const hb = b.lastIndexOf('-');
  const endA = ha > ca ? ha : a.length;
  const endB = hb > cb ? hb : b.length;
  const r1 = rpmvercmp(a, ca + 1, endA, b, cb + 1, endB);
  if (r1 !== 0) return r1;
  // A missing release sorts before any release, as in rpmverCmp() and labelCompare().
  const relA = endA < a.length;
  const relB = endB < b.length;
  if (relA && relB) return rpmvercmp(a, endA + 1, a.length, b, endB + 1, b.length);
  return relA === relB ? 0 : relA ? 1 : -1;
}

/** Splits an EVR into its parts (epoch undefined when absent). */
export function parseEvr(v: string): { epoch?: string; version: string; release?: string } {
  check(v);
  const colon = v.indexOf(':');
  const hyphen = v.lastIndexOf('-');
  const end = hyphen > colon ? hyphen : v.length;
  return {
    ...(colon >= 0 ? { epoch: v.slice(0, colon) } : {}),
    version: v.slice(colon + 1, end),
    ...(end < v.length ? { release: v.slice(end + 1) } : {}),
  };
}

export const rpm: VersionScheme = {
  id: 'rpm',
  compare: compareRpm,
  isValid: (v: string) => reason(v) === undefined,
};
