/**
 * SemVer 2.0.0 precedence (https://semver.org/#spec-item-11), shared by the
 * Cargo and Go schemes and by OSV `SEMVER` ranges. Numbers are compared as
 * digit strings, so there is no size limit (Cargo allows u64, Go any length).
 * Build metadata is parsed and validated but never affects precedence.
 */
import type { Ordering } from '../core/version.js';
import { compareNumericStrings, compareStrings } from './common.js';

export interface SemVer2 {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

export interface SemVerSyntax {
  /** Accept one leading `v` (Go). */
  vPrefix?: 'forbidden' | 'optional' | 'required';
  /** Accept `1` and `1.2` for `1.0.0` and `1.2.0` when nothing follows (golang.org/x/mod/semver). */
  shorthand?: boolean;
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const FULL = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+(${IDENT}(?:\\.${IDENT})*))?$`);
const SHORT = new RegExp(`^${NUM}(?:\\.${NUM})?$`);
const LEADING_ZERO_NUMERIC = /^0[0-9]+$/;
const NUMERIC = /^[0-9]+$/;

export function parseSemVer2(v: string, syntax: SemVerSyntax = {}): SemVer2 | undefined {
  let s = v;
  const prefix = syntax.vPrefix ?? 'forbidden';
  if (s.startsWith('v')) {
    if (prefix === 'forbidden') return undefined;
    s = s.slice(1);
  } else if (prefix === 'required') {
    return undefined;
  }
  const m = FULL.exec(s);
  if (m) {
    const prerelease = m[4] === undefined ? [] : m[4].split('.');
    // Numeric pre-release identifiers must not have leading zeros; build identifiers may.
    for (const id of prerelease) if (LEADING_ZERO_NUMERIC.test(id)) return undefined;
    return {
      major: m[1] ?? '0',
      minor: m[2] ?? '0',
      patch: m[3] ?? '0',
      prerelease,
      build: m[5] === undefined ? [] : m[5].split('.'),
    };
  }
  if (syntax.shorthand) {
    const short = SHORT.exec(s);
    if (short) return { major: short[1] ?? '0', minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  }
  return undefined;
}

function compareIdentifiers(a: string, b: string): Ordering {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return compareNumericStrings(a, b);
  if (an) return -1;
  if (bn) return 1;
  return compareStrings(a, b);
}

export function comparePrerelease(a: readonly string[], b: readonly string[]): Ordering {
  if (a.length === 0) return b.length === 0 ? 0 : 1;
  if (b.length === 0) return -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareIdentifiers(a[i] as string, b[i] as string);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemVer2(a: SemVer2, b: SemVer2): Ordering {
  return (
    compareNumericStrings(a.major, b.major) ||
    compareNumericStrings(a.minor, b.minor) ||
    compareNumericStrings(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}
