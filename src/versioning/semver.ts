/**
 * npm versions, ordered by node-semver itself (the `semver` package is npm's
 * own implementation, so using it is the only way to agree with npm on every
 * edge: leading `v`, surrounding spaces, the 256-character and
 * MAX_SAFE_INTEGER limits). Parsed versions are cached because node-semver
 * parses on every call.
 */
import semverLib from 'semver';
import type { Ordering, VersionScheme } from '../core/version.js';
import { invalidVersion } from './common.js';

const CACHE_LIMIT = 10_000;
const cache = new Map<string, semverLib.SemVer | null>();

function parse(v: string): semverLib.SemVer | null {
  let p = cache.get(v);
  if (p === undefined) {
    try {
      p = new semverLib.SemVer(v);
    } catch {
      p = null;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(v, p);
  }
  return p;
}

export const semver: VersionScheme = {
  id: 'semver',
  compare(a: string, b: string): Ordering {
    const pa = parse(a);
    if (!pa) throw invalidVersion('semver', a);
    const pb = parse(b);
    if (!pb) throw invalidVersion('semver', b);
    return pa.compare(pb);
  },
  isValid: (v: string) => parse(v) !== null,
};
