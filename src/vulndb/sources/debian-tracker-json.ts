/**
 * The security tracker's JSON export (https://security-tracker.debian.org/tracker/data/json):
 * `{ "<source-pkg>": { "CVE-…": { description?, scope?, debianbug?, releases: {
 *   "<codename>": { status, repositories, fixed_version?, urgency, nodsa?, nodsa_reason? } } } } }`.
 * Here the tracker has already applied release inheritance, so every release
 * it lists has its own state:
 *
 *   status resolved, fixed_version "0"  → `not_affected`
 *   status resolved, fixed_version V    → `fixed`, ranges fixed at V
 *   status open + nodsa, reason postponed → `fix_deferred`; reason ignored or none → `will_not_fix`
 *   status open, urgency end-of-life    → `end_of_life`
 *   status open                         → `affected` (ranges fixed at V if a fixed_version is given)
 *   status undetermined                 → `under_investigation`
 *
 * Urgency (`low`, `medium**`, `unimportant`, `not yet assigned`, …) becomes a
 * `debian` rating; `**` (set by the tracker, not by hand) is kept in the label.
 * `"releases": []` (an entry with no release) is accepted and yields nothing.
 * The document is read package by package (io/json-stream.ts): one bad
 * package member is skipped, not the feed.
 */
import type { Advisory, VulnStatus } from '../../core/advisory.js';
import { jsonRecords } from '../io/json-stream.js';
import { openResource, type Resource } from '../io/resource.js';
import { debianEcosystem } from '../names.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';
import { versionProblem } from '../validate.js';
import { fixedRanges, urgencySeverity } from './debian-states.js';

interface ReleaseState {
  status?: unknown;
  fixed_version?: unknown;
  urgency?: unknown;
  nodsa?: unknown;
  nodsa_reason?: unknown;
  repositories?: unknown;
}

interface CveState {
  description?: unknown;
  releases?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One (package, CVE, release) state → advisory; a string says why it was skipped. */
export function trackerReleaseAdvisory(pkg: string, cve: string, codename: string, r: ReleaseState): Advisory | string | undefined {
  const ecosystem = debianEcosystem(codename);
  if (!ecosystem) return `unknown release ${JSON.stringify(codename)}`;
  const status = str(r.status);
  const fixed = str(r.fixed_version);
  const urgency = str(r.urgency);
  const nodsa = typeof r.nodsa === 'string' ? r.nodsa : undefined;
  const reason = str(r.nodsa_reason);
  if (fixed && fixed !== '0') {
    const problem = versionProblem(ecosystem, fixed);
    if (problem) return `${problem} in ${codename}`;
  }
  let result: VulnStatus;
  let note: string | undefined;
  let ranges = fixed && fixed !== '0' ? fixedRanges(fixed) : [];
  switch (status) {
    case 'resolved':
      if (!fixed || fixed === '0') {
        result = 'not_affected';
        note = 'not affected (fixed_version 0)';
        ranges = [];
      } else result = 'fixed';
      break;
    case 'open':
      if (nodsa !== undefined) {
        result = reason === 'postponed' ? 'fix_deferred' : 'will_not_fix';
        note = `<${reason === 'postponed' ? 'postponed' : reason === 'ignored' ? 'ignored' : 'no-dsa'}>${nodsa ? ` (${nodsa})` : ''}`;
      } else if (urgency === 'end-of-life') {
        result = 'end_of_life';
        note = '<end-of-life>';
      } else {
        result = 'affected';
        note = fixed && fixed !== '0' ? `open; fixed_version ${fixed} listed` : '<unfixed>';
      }
      break;
    case 'undetermined':
      result = 'under_investigation';
      note = '<undetermined>';
      break;
    default:
      return `unknown status ${JSON.stringify(r.status)} in ${codename}`;
  }
  const advisory: Advisory = { id: cve, source: '', aliases: [], ecosystem, package: pkg, ranges, status: result, severity: urgencySeverity(urgency) };
  if (note) advisory.statusNote = note;
  return advisory;
}

export const debianTrackerJsonSource: Source = {
  id: 'debian-tracker-json',
  description: 'Debian security tracker JSON export',
  version: 2, // 2: unstable filed as Debian:sid
  recognise(c: Candidate): boolean {
    return !c.isZip && /^\s*\{\s*"[^"]+"\s*:\s*\{\s*"(?:CVE|TEMP)-[^"]*"\s*:\s*\{/.test(c.head);
  },
  async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
    const described = new Set<string>();
    const ecosystems = new Set<string>();
    for (const res of resources) {
      const items = jsonRecords(await openResource(res), { file: res.name });
      try {
        for await (const item of items) {
          ctx.signal?.throwIfAborted();
          const pkg = item.key;
          let cves: Record<string, CveState>;
          try {
            cves = JSON.parse(item.text) as Record<string, CveState>;
            if (typeof cves !== 'object' || cves === null || Array.isArray(cves)) throw new Error('not an object');
          } catch (e) {
            ctx.skip(`package ${JSON.stringify(pkg)}: bad JSON: ${(e as Error).message}`, { file: res.name, line: item.line, record: pkg });
            continue;
          }
          for (const [cve, state] of Object.entries(cves)) {
            const description = str(state?.description);
            if (description && !described.has(cve)) {
              described.add(cve);
              yield { kind: 'vuln', info: { id: cve, aliases: [], severity: [], description } };
            }
            const releases = state?.releases;
            if (Array.isArray(releases)) continue; // `[]`: no release data
            if (typeof releases !== 'object' || releases === null) {
              ctx.skip(`${cve}: releases is not an object`, { file: res.name, line: item.line, record: `${pkg} ${cve}` });
              continue;
            }
            for (const [codename, r] of Object.entries(releases as Record<string, ReleaseState>)) {
              const a = trackerReleaseAdvisory(pkg, cve, codename, r ?? {});
              if (typeof a === 'string') {
                ctx.skip(a, { file: res.name, line: item.line, record: `${pkg} ${cve}` });
                continue;
              }
              if (!a) continue;
              if (!ecosystems.has(a.ecosystem)) {
                ecosystems.add(a.ecosystem);
                yield { kind: 'ecosystem', ecosystem: a.ecosystem };
              }
              yield { kind: 'advisory', advisory: a };
            }
          }
        }
      } catch (e) {
        if ((e as { code?: string }).code === 'corrupt') ctx.skip((e as Error).message, { file: res.name });
        else throw e;
      }
    }
  },
};
