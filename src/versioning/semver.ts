/**
 * npm versions, ordered by node-semver itself (the `semver` package is npm's
 * own implementation, so using it is the only way to agree with npm on every
 * edge: leading `v`, surrounding spaces, the 256-character and
 * MAX_SAFE_INTEGER limits). Parsed versions are cached because node-semver
 * parses on every call.
 */
import type SemverModule from 'semver';
import type { Ordering, VersionScheme } from '../core/version.js';
import { lazyRequire } from '../util/lazy-require.js';
import { invalidVersion } from './common.js';

/** Loaded with the first npm version compared: node-semver builds its regexes as it loads, which `strata --version` need not pay. */
const semverLib = lazyRequire<typeof SemverModule>('semver');

const CACHE_LIMIT = 10_000;
const cache = new Map<string, SemverModule.SemVer | null>();

function parse(v: string): SemverModule.SemVer | null {
  let p = cache.get(v);
  if (p === undefined) {
    try {
      p = new (semverLib().SemVer)(v);
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
