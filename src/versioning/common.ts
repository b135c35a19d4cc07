/**
 * Small helpers shared by the version schemes: the error every scheme throws
 * on a version it cannot order, and allocation-free digit-run comparison
 * (version numbers routinely exceed 2^53, so they are compared as strings).
 */
import { StrataError } from '../core/errors.js';
import type { Ordering } from '../core/version.js';

export function invalidVersion(scheme: string, version: string, why?: string): StrataError {
  return new StrataError('usage', `invalid ${scheme} version ${JSON.stringify(version)}${why ? `: ${why}` : ''}`);
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Compares the decimal digit runs a[as, ae) and b[bs, be) by numeric value,
 * ignoring leading zeros, without converting them to numbers.
 */
export function compareDigitRuns(a: string, as: number, ae: number, b: string, bs: number, be: number): Ordering {
  while (as < ae && a.charCodeAt(as) === 48) as++;
  while (bs < be && b.charCodeAt(bs) === 48) bs++;
  const la = ae - as;
  const lb = be - bs;
  if (la !== lb) return la < lb ? -1 : 1;
  for (; as < ae; as++, bs++) {
    const d = a.charCodeAt(as) - b.charCodeAt(bs);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Numeric comparison of two whole digit strings (no sign, maybe leading zeros). */
export function compareNumericStrings(a: string, b: string): Ordering {
  return compareDigitRuns(a, 0, a.length, b, 0, b.length);
}

/** Plain code-unit order (what C's strcmp/memcmp does on ASCII). */
export function compareStrings(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}
