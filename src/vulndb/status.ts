/**
 * What `strata db status` shows (and a server's status endpoint will): the
 * database file, schema, build time, age and, per source, its input and
 * record counts; as JSON or as a text table.
 */
import { statSync } from 'node:fs';
import type { DbMetadata } from '../core/advisory.js';
import { dbAgeWarning } from './paths.js';
import { openVulnStore } from './store/sqlite.js';

export interface DbStatusJson {
  schemaVersion: number;
  builtAt: string;
  path: string;
  sizeBytes: number;
  ageSeconds: number;
  stale: boolean;
  sources: { id: string; input: string; records: number; skipped: number; version?: string; hash?: string; fetchedAt?: string; skipReasons?: string[] }[];
}

/** Reads the database's metadata: its status, and the age warning when it is older than `maxAgeMs`. */
export function readDatabaseStatus(path: string, maxAgeMs: number): { status: DbStatusJson; warning?: string } {
  const store = openVulnStore(path);
  const meta = store.metadata();
  store.close();
  const warning = dbAgeWarning(meta, maxAgeMs);
  return { status: statusJson(meta, path, maxAgeMs), ...(warning ? { warning } : {}) };
}

export function statusJson(meta: DbMetadata, path: string, maxAgeMs: number, now = Date.now()): DbStatusJson {
  const age = Math.max(0, Math.round((now - Date.parse(meta.builtAt)) / 1000));
  return {
    schemaVersion: meta.schemaVersion,
    builtAt: meta.builtAt,
    path,
    sizeBytes: statSync(path).size,
    ageSeconds: age,
    stale: age * 1000 > maxAgeMs,
    sources: meta.sources.map((s) => ({
      id: s.id,
      input: s.input,
      records: s.records,
      skipped: s.skipped,
      ...(s.version ? { version: s.version } : {}),
      ...(s.hash ? { hash: s.hash } : {}),
      ...(s.fetchedAt ? { fetchedAt: s.fetchedAt } : {}),
      ...(s.skipReasons ? { skipReasons: s.skipReasons } : {}),
    })),
  };
}

function ago(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms)) return 'unknown age';
  const h = ms / 3_600_000;
  if (h < 1) return `${Math.max(0, Math.round(ms / 60_000))} minutes ago`;
  if (h < 48) return `${Math.round(h)} hours ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** The status as text: a header, then one row per source. */
export function statusTable(s: DbStatusJson): string {
  const lines = [
    `Database:  ${s.path}`,
    `Schema:    ${s.schemaVersion}`,
    `Built:     ${s.builtAt} (${ago(s.builtAt)})`,
    `Size:      ${(s.sizeBytes / 1024 / 1024).toFixed(1)} MiB`,
    `Sources:   ${s.sources.length}`,
    '',
  ];
  const rows = s.sources.map((x) => [x.id, String(x.records), String(x.skipped), x.version ?? x.hash?.slice(0, 19) ?? '', x.input]);
  const header = ['SOURCE', 'RECORDS', 'SKIPPED', 'VERSION', 'INPUT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 1 || i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ');
  lines.push(fmt(header), ...rows.map(fmt));
  return `${lines.join('\n')}\n`;
}
