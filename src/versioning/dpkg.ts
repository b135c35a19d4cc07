/**
 * Debian package versions ([epoch:]upstream[-revision]) ordered exactly as
 * dpkg's verrevcmp does: letters sort before non-letters, `~` before
 * everything (even the end of the string), digit runs numerically.
 *
 * Written here because no maintained npm comparator exists (DEPENDENCIES.md).
 * The hot path works on char codes and string indexes only: no split, no
 * regex, no allocation, so a comparison costs a few dozen ns.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareDigitRuns, invalidVersion, isAlphaCode, isDigitCode } from './common.js';

const TILDE = 126;
const COLON = 58;
const HYPHEN = 45;
const MAX_EPOCH = 2147483647; // dpkg stores the epoch in an int

/**
 * dpkg's parseversion(): the epoch must be a number <= INT_MAX, the upstream
 * version non-empty, starting with a digit, made of alphanumerics and
 * `.+~-:`; the revision of alphanumerics and `.+~`. dpkg merely warns about
 * a leading non-digit or a bad character, but a package built that way is
 * broken, so both count as invalid here.
 */
function reason(v: string): string | undefined {
  const len = v.length;
  if (len === 0) return 'version string is empty';
  const colon = v.indexOf(':');
  let up = 0;
  if (colon >= 0) {
    if (colon === 0) return 'epoch in version is empty';
    let i = 0;
    let negative = false;
    const c0 = v.charCodeAt(0);
    if (c0 === 43 || c0 === HYPHEN) {
      negative = c0 === HYPHEN;
      i = 1;
    }
    if (i === colon) return 'epoch in version is not number';
    let epoch = 0;
    for (; i < colon; i++) {
      const c = v.charCodeAt(i);
      if (!isDigitCode(c)) return 'epoch in version is not number';
      epoch = epoch * 10 + (c - 48);
    }
    if (negative && epoch !== 0) return 'epoch in version is negative';
    if (epoch > MAX_EPOCH) return 'epoch in version is too big';
    up = colon + 1;
    if (up === len) return 'nothing after colon in version number';
  }
  const hyphen = v.lastIndexOf('-');
  const upEnd = hyphen >= up ? hyphen : len;
  if (hyphen >= up && hyphen === len - 1) return 'revision number is empty';
  if (upEnd === up) return 'version number is empty';
  if (!isDigitCode(v.charCodeAt(up))) return 'version number does not start with digit';
  for (let i = up; i < upEnd; i++) {
    const c = v.charCodeAt(i);
    if (!isDigitCode(c) && !isAlphaCode(c) && c !== 46 && c !== 43 && c !== TILDE && c !== HYPHEN && c !== COLON) {
      return 'invalid character in version number';
    }
  }
  for (let i = upEnd + 1; i < len; i++) {
    const c = v.charCodeAt(i);
    if (!isDigitCode(c) && !isAlphaCode(c) && c !== 46 && c !== 43 && c !== TILDE) {
      return 'invalid character in revision number';
    }
  }
  return undefined;
}

/** Numeric epoch (validated beforehand: optional sign, digits, <= INT_MAX). */
function epochOf(v: string, colon: number): number {
  let e = 0;
  for (let i = 0; i < colon; i++) {
    const c = v.charCodeAt(i);
    if (isDigitCode(c)) e = e * 10 + (c - 48);
  }
  return e;
}

/** dpkg's order(): digits 0, letters their code, `~` -1, end 0, others code + 256. */
function order(c: number): number {
  if (isDigitCode(c)) return 0;
  if (isAlphaCode(c)) return c;
  if (c === TILDE) return -1;
  return c + 256;
}

/** dpkg's verrevcmp() over a[as, ae) and b[bs, be). */
export function verrevcmp(a: string, as: number, ae: number, b: string, bs: number, be: number): Ordering {
  while (as < ae || bs < be) {
    // Non-digit prefix, compared with order().
    for (;;) {
      const ca = as < ae ? a.charCodeAt(as) : -1;
      const cb = bs < be ? b.charCodeAt(bs) : -1;
      const aNon = ca >= 0 && !isDigitCode(ca);
      const bNon = cb >= 0 && !isDigitCode(cb);
      if (!aNon && !bNon) break;
      const oa = ca >= 0 ? order(ca) : 0;
      const ob = cb >= 0 ? order(cb) : 0;
      if (oa !== ob) return oa < ob ? -1 : 1;
      as++;
      bs++;
    }
    // Digit run, compared numerically.
    let da = as;
    while (da < ae && isDigitCode(a.charCodeAt(da))) da++;
    let db = bs;
    while (db < be && isDigitCode(b.charCodeAt(db))) db++;
    const r = compareDigitRuns(a, as, da, b, bs, db);
    if (r !== 0) return r;
    as = da;
    bs = db;
  }
  return 0;
}

function check(v: string): void {
  const why = reason(v);
  if (why !== undefined) throw invalidVersion('dpkg', v, why);
}

export function compareDpkg(a: string, b: string): Ordering {
  if (a === b) {
    check(a);
    return 0;
  }
  check(a);
  check(b);
  const ca = a.indexOf(':');
  const cb = b.indexOf(':');
  const ea = ca > 0 ? epochOf(a, ca) : 0;
  const eb = cb > 0 ? epochOf(b, cb) : 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  // upstream runs from after the first colon to the last hyphen; the revision follows it.
  const ha = a.lastIndexOf('-');
  const hb = b.lastIndexOf('-');
  const endA = ha > ca ? ha : a.length;
  const endB = hb > cb ? hb : b.length;
  const r = verrevcmp(a, ca + 1, endA, b, cb + 1, endB);
  if (r !== 0) return r;
  return verrevcmp(a, endA === a.length ? endA : endA + 1, a.length, b, endB === b.length ? endB : endB + 1, b.length);
}

export const dpkg: VersionScheme & { invalidReason(v: string): string | undefined } = {
  id: 'dpkg',
  compare: compareDpkg,
  isValid: (v: string) => reason(v) === undefined,
  /** Why dpkg rejects (or warns about) a version, in dpkg's words; undefined when valid. */
  invalidReason: reason,
};
