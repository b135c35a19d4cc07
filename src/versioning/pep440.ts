/**
 * PyPI versions (PEP 440), parsed and ordered as `packaging.version.Version`
 * does: normalisation of spellings (alpha→a, c/pre/preview→rc, rev/r→post,
 * `1.0-1` = `1.0.post1`), epochs, trailing zeros ignored, dev < pre < final
 * < post, local versions after their public version.
 *
 * Written here instead of using @renovatebot/pep440 4.x, which converts every
 * number with Number(): release numbers beyond 2^53 collapse together and a
 * local segment like `1e5` or `0x1f` turns into a number, so it orders some
 * real versions differently from packaging.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareNumericStrings, compareStrings, invalidVersion } from './common.js';

// packaging's VERSION_PATTERN, verbatim in meaning; case-insensitive, surrounding whitespace allowed.
const PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

/** The comparison key of a version; `undefined` fields play packaging's ±Infinity roles. */
export interface Pep440Key {
  epoch: string;
  /** Release numbers with trailing zeros removed. */
  release: string[];
  /** Pre-release: 0 = a, 1 = b, 2 = rc; `dev-only` sorts before every pre-release, `none` after. */
  pre: { rank: number; n: string } | 'dev-only' | 'none';
  /** Post-release number, or undefined (sorts before any post). */
  post?: string;
  /** Dev number, or undefined (sorts after any dev). */
  dev?: string;
  /** Local segments: numbers as digit strings, words lower-cased; undefined sorts first. */
  local?: Array<{ num?: string; word?: string }>;
}

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(v: string): Pep440Key | undefined {
  const g = PATTERN.exec(v)?.groups;
  if (!g) return undefined;
  const release = (g.release as string).split('.');
  while (release.length > 0 && /^0+$/.test(release[release.length - 1] as string)) release.pop();
  const hasPre = g.pre_l !== undefined;
  const post = g.post_n1 ?? (g.post_l !== undefined ? (g.post_n2 ?? '0') : undefined);
  const dev = g.dev_l !== undefined ? (g.dev_n ?? '0') : undefined;
  let pre: Pep440Key['pre'];
  if (hasPre) pre = { rank: PRE_RANK[(g.pre_l as string).toLowerCase()] ?? 0, n: g.pre_n ?? '0' };
  else if (post === undefined && dev !== undefined) pre = 'dev-only';
  else pre = 'none';
  const key: Pep440Key = { epoch: g.epoch ?? '0', release, pre };
  if (post !== undefined) key.post = post;
  if (dev !== undefined) key.dev = dev;
  if (g.local !== undefined) {
    key.local = g.local.split(/[-_.]/).map((part) => (/^[0-9]+$/.test(part) ? { num: part } : { word: part.toLowerCase() }));
  }
  return key;
}

function compareRelease(a: string[], b: string[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareNumericStrings(a[i] as string, b[i] as string);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function comparePre(a: Pep440Key['pre'], b: Pep440Key['pre']): Ordering {
  const rank = (p: Pep440Key['pre']) => (p === 'dev-only' ? -1 : p === 'none' ? 3 : p.rank);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'object' && typeof b === 'object') return compareNumericStrings(a.n, b.n);
  return 0;
}

/** Missing sorts as `missing` (-1: before any number, 1: after any number). */
function compareOptionalNumber(a: string | undefined, b: string | undefined, missing: -1 | 1): Ordering {
  if (a === undefined) return b === undefined ? 0 : missing;
  if (b === undefined) return missing === -1 ? 1 : -1;
  return compareNumericStrings(a, b);
}

function compareLocal(a: Pep440Key['local'], b: Pep440Key['local']): Ordering {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as { num?: string; word?: string };
    const y = b[i] as { num?: string; word?: string };
    // Words sort before numbers; words lexically, numbers numerically.
    let r: Ordering;
    if (x.num !== undefined && y.num !== undefined) r = compareNumericStrings(x.num, y.num);
    else if (x.num !== undefined) r = 1;
    else if (y.num !== undefined) r = -1;
    else r = compareStrings(x.word ?? '', y.word ?? '');
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function comparePep440Keys(a: Pep440Key, b: Pep440Key): Ordering {
  return (
    compareNumericStrings(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a.pre, b.pre) ||
    compareOptionalNumber(a.post, b.post, -1) ||
    compareOptionalNumber(a.dev, b.dev, 1) ||
    compareLocal(a.local, b.local)
  );
}

export const pep440: VersionScheme = {
  id: 'pep440',
  compare(a: string, b: string): Ordering {
    const ka = parsePep440(a);
    if (!ka) throw invalidVersion('pep440', a);
    const kb = parsePep440(b);
    if (!kb) throw invalidVersion('pep440', b);
    return comparePep440Keys(ka, kb);
  },
  isValid: (v: string) => parsePep440(v) !== undefined,
};
