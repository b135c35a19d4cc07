/**
 * Packagist (Composer) versions: normalised as composer/semver's
 * VersionParser::normalize() does (`v1.2` → `1.2.0.0`, `1.0-beta2` →
 * `1.0.0.0-beta2`, `1.x-dev` → `1.9999999.9999999.9999999-dev`, date versions,
 * build metadata and `@stability` flags stripped), then ordered with PHP's
 * version_compare(), exactly as Composer's Constraint does. Branch versions
 * (`dev-main`) have no order in Composer and are invalid here.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareDigitRuns, invalidVersion } from './common.js';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATETIME = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');
const BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i;

function phpTrim(s: string): string {
  return s.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, '');
}

function expandStability(s: string): string {
  const l = s.toLowerCase();
  if (l === 'a') return 'alpha';
  if (l === 'b') return 'beta';
  if (l === 'p' || l === 'pl') return 'patch';
  if (l === 'rc') return 'RC';
  return l;
}

function withModifiers(version: string, m: RegExpExecArray, index: number): string {
  let v = version;
  const stability = m[index];
  if (stability) {
    if (stability === 'stable') return v;
    v += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
  }
  if (m[index + 2]) v += '-dev';
  return v;
}

/** VersionParser::normalize(); undefined where Composer throws or yields a branch (`dev-…`). */
export function normalizeComposer(input: string): string | undefined {
  let version = phpTrim(input);
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias) version = alias[1] as string;
  const flag = /@(?:stable|RC|beta|alpha|dev)$/i.exec(version);
  if (flag) version = version.slice(0, version.length - flag[0].length);
  if (version === 'master' || version === 'trunk' || version === 'default') return undefined;
  if (version.toLowerCase().startsWith('dev-')) return undefined;
  const build = /^([^,\s+]+)\+[^\s]+$/.exec(version);
  if (build) version = build[1] as string;
  let m = CLASSICAL.exec(version);
  if (m) {
    return withModifiers(`${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`, m, 5);
  }
  m = DATETIME.exec(version);
  if (m) return withModifiers((m[1] as string).replace(/\D/g, '.'), m, 2);
  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (dev) {
    const b = BRANCH.exec(phpTrim(dev[1] as string));
    if (b) {
      let v = '';
      for (let i = 1; i < 5; i++) v += b[i] !== undefined ? b[i]!.replace(/[*X]/g, 'x') : '.x';
      return `${v.replaceAll('x', '9999999')}-dev`;
    }
  }
  return undefined;
}

// ---- PHP's version_compare() -------------------------------------------------

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string) => /^[0-9A-Za-z]$/.test(c);

/** php_canonicalize_version(): separators to '.', a '.' between digit/non-digit runs. */
function canonicalize(v: string): string {
  if (v.length === 0) return '';
  let out = v[0] as string;
  let lp = v[0] as string;
  for (let i = 1; i < v.length; i++) {
    const p = v[i] as string;
    const lq = out[out.length - 1];
    const dig = (x: string) => isDigit(x);
    const ndig = (x: string) => !isDigit(x) && x !== '.';
    if (p === '-' || p === '_' || p === '+') {
      if (lq !== '.') out += '.';
    } else if ((ndig(lp) && dig(p)) || (dig(lp) && ndig(p))) {
      if (lq !== '.') out += '.';
      out += p;
    } else if (!isAlnum(p)) {
      if (lq !== '.') out += '.';
    } else {
      out += p;
    }
    lp = p;
  }
  return out;
}

const SPECIAL_FORMS: Array<[string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function specialForm(form: string): number {
  for (const [name, order] of SPECIAL_FORMS) if (form.startsWith(name)) return order;
  return -1;
}

const LONG_MAX = '9223372036854775807';

/** strtol(): leading digits, clamped at LONG_MAX. */
function strtolDigits(s: string): string {
  const m = /^[0-9]*/.exec(s)?.[0] ?? '';
  const stripped = m.replace(/^0+/, '');
  if (stripped.length > LONG_MAX.length || (stripped.length === LONG_MAX.length && stripped > LONG_MAX)) return LONG_MAX;
  return stripped;
}

export function phpVersionCompare(v1: string, v2: string): Ordering {
  if (v1 === '' || v2 === '') {
    if (v1 === '' && v2 === '') return 0;
    return v1 !== '' ? 1 : -1;
  }
  const c1 = v1.startsWith('#') ? v1 : canonicalize(v1);
  const c2 = v2.startsWith('#') ? v2 : canonicalize(v2);
  let p1 = 0;
  let p2 = 0;
  let n1: number | null = 0;
  let n2: number | null = 0;
  let compare: Ordering = 0;
  while (p1 < c1.length && p2 < c2.length && n1 !== null && n2 !== null) {
    const d1 = c1.indexOf('.', p1);
    const d2 = c2.indexOf('.', p2);
    n1 = d1 < 0 ? null : d1;
    n2 = d2 < 0 ? null : d2;
    const e1 = c1.slice(p1, n1 ?? c1.length);
    const e2 = c2.slice(p2, n2 ?? c2.length);
    if (isDigit(e1[0]) && isDigit(e2[0])) {
      const l1 = strtolDigits(e1);
      const l2 = strtolDigits(e2);
      compare = compareDigitRuns(l1, 0, l1.length, l2, 0, l2.length);
    } else if (!isDigit(e1[0]) && !isDigit(e2[0])) {
      compare = Math.sign(specialForm(e1) - specialForm(e2)) as Ordering;
    } else if (isDigit(e1[0])) {
      compare = Math.sign(specialForm('#N#') - specialForm(e2)) as Ordering;
    } else {
      compare = Math.sign(specialForm(e1) - specialForm('#N#')) as Ordering;
    }
    if (compare !== 0) break;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== null) {
      compare = isDigit(c1[p1]) ? 1 : phpVersionCompare(c1.slice(p1), '#N#');
    } else if (n2 !== null) {
      compare = isDigit(c2[p2]) ? -1 : phpVersionCompare('#N#', c2.slice(p2));
    }
  }
  return compare;
}

function normalized(v: string): string {
  const n = normalizeComposer(v);
  if (n === undefined) throw invalidVersion('composer', v);
  return n;
}

export const composer: VersionScheme = {
  id: 'composer',
  compare: (a: string, b: string): Ordering => phpVersionCompare(normalized(a), normalized(b)),
  isValid: (v: string) => normalizeComposer(v) !== undefined,
};
