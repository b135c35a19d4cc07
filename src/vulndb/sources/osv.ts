/**
 * OSV `all.zip` (https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip),
 * any ecosystem: one advisory per (record, affected package).
 *
 * - Ecosystem names are kept as OSV writes them (`Debian:12`, `PyPI`,
 *   `crates.io`), except `Ubuntu:…:LTS` (see names.ts); package names are
 *   normalised per ecosystem.
 * - Withdrawn records are kept with `withdrawn` set (the matcher drops them).
 * - crates.io `database_specific.informational` (unmaintained, unsound,
 *   notice) is carried as `informational` so matching can leave them out.
 * - GIT ranges are kept (matching skips them with a reason); an unknown range
 *   type or a version the ecosystem's scheme rejects skips that affected entry.
 * - `aliases` become alias edges (same vulnerability); `upstream` (Debian/Ubuntu
 *   OSV records point at the CVE) become `fixes` edges.
 */
import type { AffectedRange, Advisory, Severity } from '../../core/advisory.js';
import { cvss3BaseScore, ratingForScore, ratingForWord } from '../cvss.js';
import type { Resource } from '../io/resource.js';
import { zipEntries } from '../io/zip.js';
import { normalizeEcosystem, normalizePackageName } from '../names.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';
import { rangeProblem } from '../validate.js';

interface OsvRange {
  type?: unknown;
  repo?: unknown;
  events?: unknown;
}

interface OsvAffected {
  package?: { ecosystem?: unknown; name?: unknown; purl?: unknown };
  ranges?: OsvRange[];
  versions?: unknown;
  severity?: unknown;
  database_specific?: Record<string, unknown>;
}

interface OsvRecord {
  id?: unknown;
  modified?: unknown;
  published?: unknown;
  withdrawn?: unknown;
  aliases?: unknown;
  upstream?: unknown;
  summary?: unknown;
  details?: unknown;
  severity?: unknown;
  affected?: unknown;
  references?: unknown;
  database_specific?: Record<string, unknown>;
}

const isJsonEntry = (name: string) => name.endsWith('.json');

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** Who rated it, from the record's database (its id prefix). */
function raterOf(id: string): string {
  const prefix = id.split('-')[0] ?? '';
  switch (prefix) {
    case 'GHSA':
      return 'ghsa';
    case 'RUSTSEC':
      return 'rustsec';
    case 'PYSEC':
      return 'pypa';
    case 'GO':
      return 'go';
    default:
      return 'osv';
  }
}

function osvSeverities(v: unknown, source: string): Severity[] {
  if (!Array.isArray(v)) return [];
  const out: Severity[] = [];
  for (const s of v as { type?: unknown; score?: unknown }[]) {
    const type = s?.type;
    const vector = str(s?.score);
    if (!vector) continue;
    if (type === 'CVSS_V3') {
      const score = cvss3BaseScore(vector);
      out.push({ source, type: 'CVSS_V3', vector, ...(score === undefined ? {} : { score, rating: ratingForScore(score) }) });
    } else if (type === 'CVSS_V4') out.push({ source, type: 'CVSS_V4', vector });
    else if (type === 'CVSS_V2') out.push({ source, type: 'CVSS_V2', vector });
  }
  return out;
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export const osvSource: Source = {
  id: 'osv',
  description: 'OSV all.zip (one ecosystem per archive)',
  version: 1,

  recognise(c: Candidate): boolean {
    if (!c.isZip || !c.firstZipEntry) return false;
    try {
      const r = JSON.parse(c.firstZipEntry) as OsvRecord;
      return typeof r.id === 'string' && (Array.isArray(r.affected) || typeof r.modified === 'string');
    } catch {
      return false;
    }
  },

  feedId(c: Candidate): string {
    try {
      const r = JSON.parse(c.firstZipEntry ?? '{}') as OsvRecord;
      const aff = Array.isArray(r.affected) ? (r.affected[0] as OsvAffected | undefined) : undefined;
      const eco = str(aff?.package?.ecosystem);
      if (eco) return `osv-${slug(eco.split(':')[0] ?? eco)}`;
    } catch {
      // fall through to the folder name
    }
    const parent = c.location.split(/[\\/]/).slice(-2, -1)[0];
    return parent ? `osv-${slug(parent)}` : 'osv';
  },

  async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
    const seenEcosystems = new Set<string>();
    for (const res of resources) {
      for await (const entry of zipEntries(res.path, isJsonEntry)) {
        ctx.signal?.throwIfAborted();
        const where = { file: `${res.name}:${entry.name}` };
        if (!entry.data) {
          ctx.skip(`unreadable zip entry: ${entry.error ?? 'unknown error'}`, where);
          continue;
        }
        let record: OsvRecord;
        try {
          record = JSON.parse(entry.data.toString('utf8')) as OsvRecord;
        } catch (e) {
          ctx.skip(`bad JSON: ${(e as Error).message}`, where);
          continue;
        }
        yield* recordToFeed(record, ctx, where.file, seenEcosystems);
      }
    }
  },
};

/** One OSV record → advisories per affected package, alias edges. Exported for other OSV-shaped inputs. */
export function* recordToFeed(record: OsvRecord, ctx: ReadContext, file: string, seenEcosystems: Set<string>): Generator<FeedRecord> {
  const id = str(record.id);
  if (!id) {
    ctx.skip('record without an id', { file });
    return;
  }
  const aliases = strings(record.aliases).filter((a) => a !== id);
  const upstream = strings(record.upstream).filter((a) => a !== id);
  const rater = raterOf(id);
  const severity = osvSeverities(record.severity, rater);
  const ghsaWord = str(record.database_specific?.severity);
  if (ghsaWord) {
    const rating = ratingForWord(ghsaWord);
    if (rating) severity.push({ source: rater, type: 'rating', label: ghsaWord, rating });
  }
  const cwes = strings(record.database_specific?.cwe_ids);
  const references = Array.isArray(record.references)
    ? (record.references as { url?: unknown }[]).map((r) => str(r?.url)).filter((u): u is string => !!u)
    : [];
  const affected = Array.isArray(record.affected) ? (record.affected as OsvAffected[]) : [];
  if (affected.length === 0 && !str(record.withdrawn)) {
    ctx.skip('record without affected packages', { file, record: id });
  }
  for (const a of aliases) yield { kind: 'alias', id, alias: a, relation: 'alias' };
  for (const u of upstream) yield { kind: 'alias', id, alias: u, relation: 'fixes' };

  for (const aff of affected) {
    const rawEco = str(aff?.package?.ecosystem);
    const name = str(aff?.package?.name);
    if (!rawEco || !name) {
      ctx.skip('affected entry without package ecosystem or name', { file, record: id });
      continue;
    }
    const ecosystem = normalizeEcosystem(rawEco);
    const ranges: AffectedRange[] = [];
    for (const r of Array.isArray(aff.ranges) ? aff.ranges : []) {
      const range = { type: r?.type, events: r?.events, ...(typeof r?.repo === 'string' ? { repo: r.repo } : {}) } as AffectedRange;
      ranges.push(range);
    }
    const problem = rangeProblem(ecosystem, ranges);
    if (problem) {
      ctx.skip(`${ecosystem} ${name}: ${problem}`, { file, record: id });
      continue;
    }
    const versions = strings(aff.versions);
    // A withdrawn record is kept whatever it lists (matching drops it); others need something to match.
    if (ranges.length === 0 && versions.length === 0 && !str(record.withdrawn)) {
      ctx.skip(`${ecosystem} ${name}: neither ranges nor versions`, { file, record: id });
      continue;
    }
    const hasFix = ranges.some((r) => r.type !== 'GIT' && r.events.some((e) => e.fixed !== undefined));
    const affSeverity = osvSeverities(aff.severity, rater);
    const informational = str(aff.database_specific?.informational) ?? str(record.database_specific?.informational);
    const advisory: Advisory = {
      id,
      source: '',
      aliases,
      ecosystem,
      package: normalizePackageName(ecosystem, name),
      ranges,
      status: hasFix ? 'fixed' : 'affected',
      severity: affSeverity.length > 0 ? [...severity, ...affSeverity] : severity,
    };
    if (versions.length) advisory.versions = versions;
    const summary = str(record.summary);
    const details = str(record.details);
    if (summary) advisory.summary = summary;
    if (details) advisory.details = details;
    if (references.length) advisory.references = references;
    const published = str(record.published);
    const modified = str(record.modified);
    const withdrawn = str(record.withdrawn);
    if (published) advisory.published = published;
    if (modified) advisory.modified = modified;
    if (withdrawn) advisory.withdrawn = withdrawn;
    if (cwes.length) advisory.cwes = cwes;
    if (informational) advisory.informational = informational;
    if (!seenEcosystems.has(ecosystem)) {
      seenEcosystems.add(ecosystem);
      yield { kind: 'ecosystem', ecosystem };
    }
    yield { kind: 'advisory', advisory };
  }
}
