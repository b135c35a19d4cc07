/**
 * Advisory ⇄ row. The common distro shape — one range `introduced 0, fixed V`
 * — is stored as a plain `fixed` column, the rest of the advisory as compact
 * JSON in `extra`, so the hundreds of thousands of Debian rows stay small.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AffectedRange, Advisory, Severity, StoredAdvisory, VulnStatus } from '../../core/advisory.js';

export interface AdvisoryRow {
  ecosystem: string;
  package: string;
  id: string;
  status: string;
  fixed: string | null;
  note: string | null;
  severity: string | null;
  extra: string | null;
}

function singleFixed(ranges: AffectedRange[]): string | undefined {
  if (ranges.length !== 1) return undefined;
  const r = ranges[0];
  if (!r || r.type !== 'ECOSYSTEM' || r.repo !== undefined || r.events.length !== 2) return undefined;
  const [a, b] = r.events;
  if (!a || !b || Object.keys(a).length !== 1 || a.introduced !== '0' || Object.keys(b).length !== 1 || b.fixed === undefined) return undefined;
  return b.fixed;
}

type Extra = Partial<Omit<Advisory, 'id' | 'source' | 'ecosystem' | 'package' | 'status' | 'statusNote' | 'severity'>>;

export function encodeAdvisory(a: Advisory): AdvisoryRow {
  const fixed = singleFixed(a.ranges);
  const extra: Extra = {};
  if (a.aliases.length) extra.aliases = a.aliases;
  if (fixed === undefined && a.ranges.length) extra.ranges = a.ranges;
  if (a.versions?.length) extra.versions = a.versions;
  if (a.summary) extra.summary = a.summary;
  if (a.details) extra.details = a.details;
  if (a.references?.length) extra.references = a.references;
  if (a.published) extra.published = a.published;
  if (a.modified) extra.modified = a.modified;
  if (a.withdrawn) extra.withdrawn = a.withdrawn;
  if (a.cwes?.length) extra.cwes = a.cwes;
  if (a.informational) extra.informational = a.informational;
  if (a.packageKind) extra.packageKind = a.packageKind;
  if (a.inheritedFrom) extra.inheritedFrom = a.inheritedFrom;
  return {
    ecosystem: a.ecosystem,
    package: a.package,
    id: a.id,
    status: a.status,
    fixed: fixed ?? null,
    note: a.statusNote ?? null,
    severity: a.severity.length ? JSON.stringify(a.severity) : null,
    extra: Object.keys(extra).length ? JSON.stringify(extra) : null,
  };
}

export function decodeAdvisory(row: AdvisoryRow, source: string): Advisory {
  const extra: Extra = row.extra ? (JSON.parse(row.extra) as Extra) : {};
  const ranges: AffectedRange[] = row.fixed !== null ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: row.fixed }] }] : (extra.ranges ?? []);
  const a: Advisory = {
    ...extra,
    id: row.id,
    source,
    aliases: extra.aliases ?? [],
    ecosystem: row.ecosystem,
    package: row.package,
    ranges,
    status: row.status as VulnStatus,
    severity: row.severity ? (JSON.parse(row.severity) as Severity[]) : [],
  };
  if (row.note !== null) a.statusNote = row.note;
  return a;
}

/**
 * A package's advisories as its `package_row` holds them: JSON, raw-deflated
 * (the JSON repeats field names and long texts per record; deflated it is a
 * fifth of the size, and inflating a row costs less than parsing it).
 */
export function encodePackageRow(advisories: readonly StoredAdvisory[]): Buffer {
  return deflateRawSync(JSON.stringify(advisories));
}

export function decodePackageRow(data: Buffer): StoredAdvisory[] {
  return JSON.parse(inflateRawSync(data).toString('utf8')) as StoredAdvisory[];
}
