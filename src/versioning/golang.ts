/**
 * Go module versions as golang.org/x/mod/semver orders them: `v` + SemVer 2.0,
 * `v1` and `v1.2` shorthands, `+incompatible` (build metadata, ignored),
 * pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
 * `v1.2.4-0.20191109021931-daa7c04131f5`), which are pre-releases and so order
 * naturally. The `v` is optional because the Go vulnerability database (OSV)
 * writes versions without it, while go.mod and build info write it.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { invalidVersion } from './common.js';
import { compareSemVer2, parseSemVer2 } from './semver2.js';

const SYNTAX = { vPrefix: 'optional', shorthand: true } as const;

export const golang: VersionScheme = {
  id: 'golang',
  compare(a: string, b: string): Ordering {
    const pa = parseSemVer2(a, SYNTAX);
    if (!pa) throw invalidVersion('golang', a);
    const pb = parseSemVer2(b, SYNTAX);
    if (!pb) throw invalidVersion('golang', b);
    return compareSemVer2(pa, pb);
  },
  isValid: (v: string) => parseSemVer2(v, SYNTAX) !== undefined,
};
