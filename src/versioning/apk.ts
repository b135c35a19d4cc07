/**
 * Alpine (apk-tools) versions: digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN},
 * ordered as apk-tools' version.c (2.14 / 3.x) does: numbers numerically except
 * that a digit field with a leading zero (after the first) compares as a string;
 * `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`;
 * `~hash` compares as a string; `-rN` last.
 *
 * Written here because no npm comparator follows apk-tools; this is a token
 * walker over the string with no allocation.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareDigitRuns, invalidVersion, isDigitCode } from './common.js';

// Token kinds, in the order apk-tools uses to decide which trailing part wins.
const T_INITIAL_DIGIT = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_COMMIT_HASH = 5;
const T_REVISION_NO = 6;
const T_END = 7;
const T_INVALID = 8;

const SUFFIX_NONE = 5;

function suffixValue(s: string, start: number, end: number): number {
  switch (s.slice(start, end)) {
    case 'alpha':
      return 1;
    case 'beta':
      return 2;
    case 'pre':
      return 3;
    case 'rc':
      return 4;
    case 'cvs':
      return 6;
    case 'svn':
      return 7;
    case 'git':
      return 8;
    case 'hg':
      return 9;
    case 'p':
      return 10;
    default:
      return 0;
  }
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isHex(c: number): boolean {
  return isDigitCode(c) || (c >= 97 && c <= 102);
}

/** One cursor over a version string: the current token and its value span. */
class Cursor {
  token = T_INITIAL_DIGIT;
  suffix = 0;
  start = 0;
  end = 0;
  pos = 0;
  s = '';

  reset(s: string): this {
    this.s = s;
    this.pos = 0;
    this.token = T_INITIAL_DIGIT;
    this.digits();
    return this;
  }

  private digits(): void {
    const s = this.s;
    this.start = this.pos;
    while (this.pos < s.length && isDigitCode(s.charCodeAt(this.pos))) this.pos++;
    this.end = this.pos;
    if (this.end === this.start) this.token = T_INVALID;
  }

  next(): void {
    const s = this.s;
    if (this.pos >= s.length) {
      this.token = T_END;
      return;
    }
    const c = s.charCodeAt(this.pos);
    if (isLower(c)) {
      if (this.token > T_DIGIT) return this.invalid();
      this.start = this.pos;
      this.end = ++this.pos;
      this.token = T_LETTER;
    } else if (c === 46 || isDigitCode(c)) {
      // '.' must be followed by digits; a bare digit run only follows a suffix name.
      if (c === 46) {
        if (this.token > T_DIGIT) return this.invalid();
        this.pos++;
      }
      if (this.token === T_INITIAL_DIGIT || this.token === T_DIGIT) this.token = T_DIGIT;
      else if (this.token === T_SUFFIX) this.token = T_SUFFIX_NO;
      else return this.invalid();
      this.digits();
    } else if (c === 95) {
      if (this.token > T_SUFFIX_NO) return this.invalid();
      this.start = ++this.pos;
      while (this.pos < s.length && isLower(s.charCodeAt(this.pos))) this.pos++;
      this.end = this.pos;
      this.suffix = suffixValue(s, this.start, this.end);
      if (this.suffix === 0) return this.invalid();
      this.token = T_SUFFIX;
    } else if (c === TILDE) {
      if (this.token >= T_COMMIT_HASH) return this.invalid();
      this.start = ++this.pos;
      while (this.pos < s.length && isHex(s.charCodeAt(this.pos))) this.pos++;
      this.end = this.pos;
      if (this.end === this.start) return this.invalid();
      this.token = T_COMMIT_HASH;
    } else if (c === 45) {
      if (this.token >= T_REVISION_NO || s.charCodeAt(this.pos + 1) !== 114) return this.invalid();
      this.pos += 2;
      this.token = T_REVISION_NO;
      this.digits();
    } else {
      this.invalid();
    }
  }

  private invalid(): void {
    this.token = T_INVALID;
  }
}

const TILDE = 126;

function compareSpans(a: Cursor, b: Cursor): Ordering {
  const la = a.end - a.start;
  const lb = b.end - b.start;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = a.s.charCodeAt(a.start + k) - b.s.charCodeAt(b.start + k);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return la === lb ? 0 : la < lb ? -1 : 1;
}

/** apk-tools' token_cmp() for two tokens of the same kind. */
function tokenCmp(a: Cursor, b: Cursor): Ordering {
  switch (a.token) {
    case T_DIGIT:
      // A leading zero makes the field a string (1.01 < 1.1, 1.0 < 1.00).
      if (a.s.charCodeAt(a.start) === 48 || b.s.charCodeAt(b.start) === 48) return compareSpans(a, b);
      return compareDigitRuns(a.s, a.start, a.end, b.s, b.start, b.end);
    case T_INITIAL_DIGIT:
    case T_SUFFIX_NO:
    case T_REVISION_NO:
      return compareDigitRuns(a.s, a.start, a.end, b.s, b.start, b.end);
    case T_LETTER: {
      const d = a.s.charCodeAt(a.start) - b.s.charCodeAt(b.start);
      return d < 0 ? -1 : d > 0 ? 1 : 0;
    }
    case T_SUFFIX:
      return a.suffix < b.suffix ? -1 : a.suffix > b.suffix ? 1 : 0;
    default:
      return compareSpans(a, b);
  }
}

const ca = new Cursor();
const cb = new Cursor();
const cv = new Cursor();

function isValidApk(v: string): boolean {
  const c = cv.reset(v);
  while (c.token < T_END) c.next();
  return c.token === T_END;
}

export function compareApk(a: string, b: string): Ordering {
  if (!isValidApk(a)) throw invalidVersion('apk', a);
  if (a === b) return 0;
  if (!isValidApk(b)) throw invalidVersion('apk', b);
  const ta = ca.reset(a);
  const tb = cb.reset(b);
  while (ta.token === tb.token && ta.token < T_END) {
    const r = tokenCmp(ta, tb);
    if (r !== 0) return r;
    ta.next();
    tb.next();
  }
  if (ta.token === tb.token) return 0;
  // Equal so far: the longer one is newer, unless what it has more is a pre-release suffix.
  if (ta.token === T_SUFFIX && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === T_SUFFIX && tb.suffix < SUFFIX_NONE) return 1;
  return ta.token > tb.token ? -1 : 1;
}

export const apk: VersionScheme = {
  id: 'apk',
  compare: compareApk,
  isValid: isValidApk,
};
