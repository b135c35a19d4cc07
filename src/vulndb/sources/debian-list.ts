/**
 * Parser of the Debian security tracker's list files (`data/CVE/list`,
 * `data/DSA/list`, `data/DLA/list`, `data/DTSA/list` in the
 * security-tracker-team/security-tracker repository), following the
 * tracker's own grammar (lib/python/sectracker/parsers.py, bugs.py):
 *
 *   CVE-2023-1234 (description …)            DSA/DLA: [29 Mar 2023] DSA-5380-1 pkg - what
 *   	{DSA-5380-1 DLA-3380-1}                         	{CVE-… CVE-…}
 *   	- openssl 3.0.8-1 (low; bug #123)                 	[bullseye] - pkg 1.2-3+deb11u1
 *   	[bookworm] - openssl <no-dsa> (Minor issue)
 *   	NOTE: …   TODO: …   NOT-FOR-US: …   RESERVED   REJECTED
 *
 * Any leading whitespace makes a line an annotation (the tracker accepts
 * spaces as well as tabs; the real DSA list has a few space-indented lines).
 * A line at column 0 that is not a header is skipped and counted: if it looks
 * like an annotation it is "not indented" and its entry goes on without it;
 * otherwise it is a malformed header and the annotations under it are dropped
 * with it. An annotation the grammar does not know is skipped and counted.
 */
import { createHash } from 'node:crypto';
import type { Line } from '../io/lines.js';
import type { SkipWhere } from '../source.js';

export type PackageKind =
  | 'fixed'
  | 'unfixed'
  | 'no-dsa'
  | 'not-affected'
  | 'end-of-life'
  | 'ignored'
  | 'postponed'
  | 'removed'
  | 'itp'
  | 'undetermined';

export interface PackageLine {
  /** Codename in `[codename]`; undefined = unstable (sid). */
  release?: string;
  package: string;
  kind: PackageKind;
  version?: string;
  /** Free text of `<no-dsa> (…)`-style states, or unknown notes of other lines. */
  description?: string;
  /** `unimportant`, `low`, `medium`, `high` from the parenthesised notes. */
  urgency?: string;
  bugs: number[];
  /** The line as written (without the leading whitespace). */
  text: string;
  line: number;
}

export interface ListEntry {
  /** `CVE-2023-1234`, `TEMP-0000000-0CA7E3`, `DSA-5380-1`, `DLA-3380-1`, `DTSA-26-1`. */
  name: string;
  /** Header text after the name: CVE description (brackets removed) or `pkg - security update`. */
  description?: string;
  /** DSA/DLA/DTSA date as YYYY-MM-DD. */
  date?: string;
  line: number;
  xrefs: string[];
  packages: PackageLine[];
  notes: string[];
  todos: string[];
  notForUs?: string;
  reserved: boolean;
  rejected: boolean;
}

export type ListKind = 'cve' | 'advisory';

type Skip = (reason: string, where: SkipWhere) => void;

const PSEUDO_FREETEXT = new Set(['no-dsa', 'not-affected', 'end-of-life', 'ignored', 'postponed']);
const PSEUDO_STRUCT = new Set(['unfixed', 'removed', 'itp', 'undetermined']);
const URGENCIES = new Set(['unimportant', 'low', 'medium', 'high']);

const RE_CVE_HEADER = /^(CVE-\d{4}-(?:\d{4,}|XXXX)|TEMP-\d+-\S+)(?:\s+(.*?))?\s*$/;
const RE_ADV_HEADER_DSA = /^\[(\d\d?) ([A-Z][a-z][a-z]) (\d{4})\] ([A-Z]+-\d+(?:-\d+)?)(?:\s+(.*?))?\s*$/;
const RE_ADV_HEADER_DTSA = /^\[([A-Z][a-z]{2,}) (\d\d?)(?:st|nd|rd|th), (\d{4})\] ([A-Z]+-\d+(?:-\d+)?)(?:\s+(.*?))?\s*$/;
const RE_PKG_VERSION = /^(?:\[([a-z-]+)\]\s+)?-\s+([A-Za-z0-9:.+-]+)\s*(?:\s([A-Za-z0-9:.+~-]+)\s*)?(?:\s\((.*)\))?$/;
const RE_PKG_PSEUDO = /^(?:\[([a-z-]+)\]\s+)?-\s+([A-Za-z0-9:.+-]+)\s+<([a-z-]+)>\s*(?:\s\((.*)\))?$/;
const RE_LOOKS_LIKE_ANNOTATION = /^(?:\[[a-z-]+\]\s+-\s|-\s|\{|NOTE:|TODO:|NOT-FOR-US:|RESERVED\s*$|REJECTED\s*$)/;

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

function isoDate(day: string, month: string, year: string): string | undefined {
  const m = MONTHS[month.slice(0, 3).toLowerCase()];
  return m ? `${year}-${m}-${day.padStart(2, '0')}` : undefined;
}

/** The tracker's TEMP name for `CVE-YYYY-XXXX` entries: bug number and a hash of the description. */
export function tempBugName(bug: number, description: string): string {
  const digest = createHash('md5').update(description, 'utf8').digest('hex').slice(0, 6).toUpperCase();
  return `TEMP-${String(bug).padStart(7, '0')}-${digest}`;
}

function parseInner(inner: string | undefined): { urgency?: string; bugs: number[]; rest: string[] } {
  const out: { urgency?: string; bugs: number[]; rest: string[] } = { bugs: [], rest: [] };
  if (!inner) return out;
  for (const raw of inner.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    if (URGENCIES.has(part)) out.urgency = part;
    else if (/^bug #\d+$/.test(part)) out.bugs.push(Number(part.slice(5)));
    else out.rest.push(part);
  }
  return out;
}

/** One annotation (leading whitespace removed) → package line, or why it is not one. */
export function parsePackageLine(text: string, line: number): PackageLine | string {
  let m = RE_PKG_PSEUDO.exec(text);
  if (m) {
    const [, release, pkg, kind, inner] = m;
    if (!pkg || !kind) return 'malformed package line';
    if (PSEUDO_FREETEXT.has(kind)) {
      return { ...(release ? { release } : {}), package: pkg, kind: kind as PackageKind, ...(inner ? { description: inner } : {}), bugs: [], text, line };
    }
    if (PSEUDO_STRUCT.has(kind)) {
      const flags = parseInner(inner);
      return {
        ...(release ? { release } : {}),
        package: pkg,
        kind: kind as PackageKind,
        ...(flags.urgency ? { urgency: flags.urgency } : {}),
        ...(flags.rest.length ? { description: flags.rest.join('; ') } : {}),
        bugs: flags.bugs,
        text,
        line,
      };
    }
    return `unknown package state <${kind}>`;
  }
  m = RE_PKG_VERSION.exec(text);
  if (m) {
    const [, release, pkg, version, inner] = m;
    if (!pkg) return 'malformed package line';
    const flags = parseInner(inner);
    return {
      ...(release ? { release } : {}),
      package: pkg,
      kind: version ? 'fixed' : 'unfixed',
      ...(version ? { version } : {}),
      ...(flags.urgency ? { urgency: flags.urgency } : {}),
      ...(flags.rest.length ? { description: flags.rest.join('; ') } : {}),
      bugs: flags.bugs,
      text,
      line,
    };
  }
  return 'malformed package line';
}

function newEntry(name: string, line: number): ListEntry {
  return { name, line, xrefs: [], packages: [], notes: [], todos: [], reserved: false, rejected: false };
}

function parseHeader(kind: ListKind, text: string, line: number): ListEntry | undefined {
  if (kind === 'cve') {
    const m = RE_CVE_HEADER.exec(text);
    if (!m || !m[1]) return undefined;
    const entry = newEntry(m[1], line);
    let desc = m[2];
    if (desc && ((desc.startsWith('(') && desc.endsWith(')')) || (desc.startsWith('[') && desc.endsWith(']')))) desc = desc.slice(1, -1);
    if (desc) entry.description = desc;
    return entry;
  }
  let m = RE_ADV_HEADER_DSA.exec(text);
  let date: string | undefined;
  if (m && m[1] && m[2] && m[3]) date = isoDate(m[1], m[2], m[3]);
  else {
    m = RE_ADV_HEADER_DTSA.exec(text);
    if (m && m[1] && m[2] && m[3]) date = isoDate(m[2], m[1], m[3]);
  }
  if (!m || !m[4]) return undefined;
  const entry = newEntry(m[4], line);
  if (date) entry.date = date;
  if (m[5]) entry.description = m[5];
  return entry;
}

function finishEntry(entry: ListEntry): ListEntry {
  if (/^CVE-\d{4}-XXXX$/.test(entry.name)) {
    const bug = entry.packages.find((p) => p.bugs.length > 0)?.bugs[0] ?? 0;
    entry.name = tempBugName(bug, entry.description ?? '');
  }
  return entry;
}

/** Parses a list file's lines into entries; bad lines go to `skip` with file and line. */
export async function* parseTrackerList(lines: AsyncIterable<Line>, kind: ListKind, file: string, skip: Skip): AsyncGenerator<ListEntry> {
  let entry: ListEntry | undefined;
  let orphaned = false; // annotations under a malformed header
  for await (const { text, number } of lines) {
    if (/^\s*$/.test(text) || text.startsWith('--')) continue;
    const indented = text[0] === ' ' || text[0] === '\t';
    if (!indented) {
      if (/^(?:begin|end) claimed by \S+\s*$/.test(text) || text.startsWith('STOP:')) continue;
      const header = parseHeader(kind, text, number);
      if (header) {
        if (entry) yield finishEntry(entry);
        entry = header;
        orphaned = false;
        continue;
      }
      if (entry && !orphaned && RE_LOOKS_LIKE_ANNOTATION.test(text)) {
        skip(`annotation line is not indented: ${JSON.stringify(text.slice(0, 80))}`, { file, line: number, record: entry.name });
        continue;
      }
      if (entry) yield finishEntry(entry);
      entry = undefined;
      orphaned = true;
      skip(`malformed header: ${JSON.stringify(text.slice(0, 80))}`, { file, line: number });
      continue;
    }
    if (!entry) {
      if (!orphaned) skip('annotation before any header', { file, line: number });
      continue;
    }
    const ann = text.trim();
    if (ann.startsWith('{')) {
      const m = /^\{\s*(.*?)\s*\}$/.exec(ann);
      if (!m) {
        skip(`malformed cross-reference: ${JSON.stringify(ann.slice(0, 80))}`, { file, line: number, record: entry.name });
        continue;
      }
      entry.xrefs.push(...(m[1] ?? '').split(/\s+/).filter(Boolean));
      continue;
    }
    if (/^(?:\[[^\]]*\]\s*)?-/.test(ann)) {
      const pkg = parsePackageLine(ann, number);
      if (typeof pkg === 'string') {
        skip(`${pkg}: ${JSON.stringify(ann.slice(0, 80))}`, { file, line: number, record: entry.name });
        continue;
      }
      entry.packages.push(pkg);
      continue;
    }
    if (/^RESERVED\s*$/.test(ann) || /^NOTE:\s+reserved\s*$/.test(ann)) {
      entry.reserved = true;
      continue;
    }
    if (/^REJECTED\s*$/.test(ann) || /^NOTE:\s+rejected\s*$/.test(ann)) {
      entry.rejected = true;
      continue;
    }
    let m = /^NOT-FOR-US:\s*(.*?)\s*$/.exec(ann);
    if (m) {
      entry.notForUs = m[1] ?? '';
      continue;
    }
    m = /^NOTE:\s*(.*)$/.exec(ann);
    if (m) {
      entry.notes.push(m[1] ?? '');
      continue;
    }
    m = /^TODO:\s*(.*)$/.exec(ann);
    if (m) {
      entry.todos.push(m[1] ?? '');
      continue;
    }
    skip(`unknown annotation: ${JSON.stringify(ann.slice(0, 80))}`, { file, line: number, record: entry.name });
  }
  if (entry) yield finishEntry(entry);
}
