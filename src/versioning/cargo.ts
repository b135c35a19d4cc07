/**
 * crates.io versions: strict SemVer 2.0 as the `semver` crate parses it (no
 * `v`, no leading zeros, u64 numbers), ordered by SemVer precedence. Build
 * metadata is ignored for ordering: `1.0.0+a` is the same release as `1.0.0`
 * for vulnerability matching (the crate only uses it as a final tie-break).
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { invalidVersion } from './common.js';
import { compareSemVer2, parseSemVer2, type SemVer2 } from './semver2.js';

const U64_MAX = '18446744073709551615';

function fitsU64(n: string): boolean {
  return n.length < U64_MAX.length || (n.length === U64_MAX.length && n <= U64_MAX);
}

function parse(v: string): SemVer2 | undefined {
  const p = parseSemVer2(v);
  if (!p || !fitsU64(p.major) || !fitsU64(p.minor) || !fitsU64(p.patch)) return undefined;
  return p;
}

export const cargo: VersionScheme = {
  id: 'cargo',
  compare(a: string, b: string): Ordering {
    const pa = parse(a);
    if (!pa) throw invalidVersion('cargo', a);
    const pb = parse(b);
    if (!pb) throw invalidVersion('cargo', b);
    return compareSemVer2(pa, pb);
  },
  isValid: (v: string) => parse(v) !== undefined,
};
