/**
 * The tracker's `data/DSA/list`, `data/DLA/list` and `data/DTSA/list` →
 * one advisory per (DSA/DLA/DTSA id, release line): id `DSA-5380-1`, aliases =
 * the CVEs in `{…}`, the release's ecosystem (`[bullseye]` → `Debian:11`), the
 * source package and its fixed version (status `fixed`), `published` = the
 * header date, summary = the header text. A follow-up such as a regression
 * update (`DSA-5356-2`) that lists no CVEs stands for itself: the CVEs were
 * fixed by its sibling (`DSA-5356-1`, at an earlier version), which is what
 * the tracker's CVE pages say; borrowing them would report those CVEs as
 * open for everyone between the two updates. Each id also gets a
 * vulnerability record (summary, date, CVEs) and `fixes` edges to its CVEs.
 */
import type { Advisory } from '../../core/advisory.js';
import { readLines } from '../io/lines.js';
import { openResource, type Resource } from '../io/resource.js';
import { debianEcosystem } from '../names.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';
import { versionProblem } from '../validate.js';
import { type ListEntry, parseTrackerList } from './debian-list.js';
import { fixedRanges, stateNote, statusForKind, urgencySeverity } from './debian-states.js';

export function advisoriesOfListEntry(entry: ListEntry, cves: string[], file: string, ctx: Pick<ReadContext, 'skip'>): Advisory[] {
  const out: Advisory[] = [];
  for (const p of entry.packages) {
    if (!p.release) {
      ctx.skip(`package line without a [release]: ${JSON.stringify(p.text.slice(0, 80))}`, { file, line: p.line, record: entry.name });
      continue;
    }
    const ecosystem = debianEcosystem(p.release);
    if (!ecosystem) {
      ctx.skip(`unknown release [${p.release}]`, { file, line: p.line, record: entry.name });
      continue;
    }
    if (p.kind === 'fixed' && p.version) {
      const problem = versionProblem(ecosystem, p.version);
      if (problem) {
        ctx.skip(`${p.package}: ${problem}`, { file, line: p.line, record: entry.name });
        continue;
      }
    }
    const status = statusForKind(p.kind);
    if (!status) continue;
    const advisory: Advisory = {
      id: entry.name,
      source: '',
      aliases: cves,
      ecosystem,
      package: p.package,
      ranges: p.kind === 'fixed' && p.version ? fixedRanges(p.version) : [],
      status,
      severity: urgencySeverity(p.urgency),
    };
    if (p.kind !== 'fixed') advisory.statusNote = stateNote(p.kind, p.description);
    if (entry.description) advisory.summary = entry.description;
    if (entry.date) advisory.published = entry.date;
    out.push(advisory);
  }
  return out;
}

function makeSource(id: string, prefix: 'DSA' | 'DLA' | 'DTSA', description: string): Source {
  const header = prefix === 'DTSA' ? /^\[[A-Z][a-z]+ \d\d?(?:st|nd|rd|th), \d{4}\] DTSA-\d/ : new RegExp(`^\\[\\d\\d? [A-Z][a-z]{2} \\d{4}\\] ${prefix}-\\d`);
  return {
    id,
    description,
    version: 2, // 2: follow-ups without CVEs no longer borrow their siblings'
    recognise(c: Candidate): boolean {
      return !c.isZip && header.test(c.head);
    },
    async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
      for (const res of resources) {
        const ecosystems = new Set<string>();
        for await (const e of parseTrackerList(readLines(await openResource(res)), 'advisory', res.name, ctx.skip)) {
          ctx.signal?.throwIfAborted();
          const cves = e.xrefs.filter((x) => /^CVE-/.test(x));
          for (const cve of cves) yield { kind: 'alias', id: e.name, alias: cve, relation: 'fixes' };
          yield {
            kind: 'vuln',
            info: { id: e.name, aliases: cves, severity: [], ...(e.description ? { summary: e.description } : {}), ...(e.date ? { published: e.date } : {}) },
          };
          for (const advisory of advisoriesOfListEntry(e, cves, res.name, ctx)) {
            if (!ecosystems.has(advisory.ecosystem)) {
              ecosystems.add(advisory.ecosystem);
              yield { kind: 'ecosystem', ecosystem: advisory.ecosystem };
            }
            yield { kind: 'advisory', advisory };
          }
        }
      }
    },
  };
}

export const debianDsaSource = makeSource('debian-dsa', 'DSA', 'Debian Security Advisories (tracker data/DSA/list)');
export const debianDlaSource = makeSource('debian-dla', 'DLA', 'Debian LTS Advisories (tracker data/DLA/list)');
export const debianDtsaSource = makeSource('debian-dtsa', 'DTSA', 'Debian Testing Security Advisories (tracker data/DTSA/list)');
