/**
 * Maven versions ordered as org.apache.maven.artifact.versioning.ComparableVersion
 * of Maven 3.8 (the one Debian 12 ships and the conformance tests run):
 * tokens split on `.`, `-` and digit/letter transitions, a `-` or a
 * transition opening a sub-list, `.qualifier` treated like `-qualifier`,
 * trailing nulls (0, "", ga, final, release) removed from every list,
 * qualifiers alpha < beta < milestone < rc = cr < snapshot < "" < sp < others
 * (others lexically), `a1`/`b1`/`m1` shorthands.
 *
 * Written here because no npm package reproduces ComparableVersion's list
 * structure; the parse follows its documented algorithm.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareNumericStrings, compareStrings, invalidVersion } from './common.js';

type Item = { kind: 'num'; digits: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = '5';

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { kind: 'str', value: ALIASES[v] ?? v };
}

function numItem(digits: string): Item {
  const stripped = digits.replace(/^0+(?=.)/, '');
  return { kind: 'num', digits: stripped };
}

const ZERO: Item = { kind: 'num', digits: '0' };

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? numItem(buf) : stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'num':
      return /^0+$/.test(item.digits);
    case 'str':
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case 'list':
      return item.items.length === 0;
  }
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

function isDigitChar(c: string): boolean {
  return c >= '0' && c <= '9';
}

export function parseMaven(version: string): Item[] {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = () => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '.' || c === '-') {
      list.push(i === start ? ZERO : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') open();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        // `1.0.RC1` is read like `1.0-RC1`: a qualifier always opens its own list.
        if (list.length > 0) open();
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    if (!isDigit && list.length > 0) open();
    list.push(parseItem(isDigit, v.slice(start)));
  }
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as Item[]);
  return root;
}

/** Item.compareTo(other), other undefined meaning Java's null (a missing item). */
function compareItem(a: Item, b: Item | undefined): Ordering {
  switch (a.kind) {
    case 'num':
      if (b === undefined) return isNull(a) ? 0 : 1;
      if (b.kind === 'num') return compareNumericStrings(a.digits, b.digits);
      return 1; // 1.1 > 1-sp, 1.1 > 1-1
    case 'str':
      if (b === undefined) return compareStrings(comparableQualifier(a.value), RELEASE_INDEX);
      if (b.kind === 'str') return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
      return -1; // 1.any < 1.1, 1.any < 1-1
    case 'list':
      if (b === undefined) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.kind === 'num') return -1;
      if (b.kind === 'str') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: Item[], b: Item[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i];
    const r = b[i];
    let result: Ordering;
    if (l === undefined) result = r === undefined ? 0 : ((-compareItem(r, undefined)) as Ordering);
    else result = compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

/** Maven's canonical form (ComparableVersion.getCanonical()), handy in messages and tests. */
export function canonicalMaven(version: string): string {
  const render = (items: Item[]): string =>
    items
      .map((item, i) => {
        const text = item.kind === 'num' ? item.digits : item.kind === 'str' ? item.value : render(item.items);
        return i === 0 ? text : (item.kind === 'list' ? '-' : '.') + text;
      })
      .join('');
  return render(parseMaven(version));
}

/**
 * ComparableVersion accepts any string; an advisory's version is still
 * garbled if it is empty, has whitespace or control characters, or uses
 * digits outside ASCII (which Java would read as numbers and we would not).
 */
function isValidMaven(v: string): boolean {
  return v.length > 0 && !/[\s\p{Cc}]/u.test(v) && !/(?![0-9])\p{Nd}/u.test(v);
}

export const maven: VersionScheme = {
  id: 'maven',
  compare(a: string, b: string): Ordering {
    if (!isValidMaven(a)) throw invalidVersion('maven', a);
    if (!isValidMaven(b)) throw invalidVersion('maven', b);
    if (a === b) return 0;
    return compareLists(parseMaven(a), parseMaven(b));
  },
  isValid: isValidMaven,
};
