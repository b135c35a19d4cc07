/**
 * Writes a NEW database file (the builder renames it into place when done).
 * Bulk-load settings: no journal, no fsync per transaction, exclusive lock —
 * the file is private until the rename, and a crash leaves only a temp file.
 * Indexes and derived tables (alias groups) are made once at the end.
 */
import { type Database, openDatabase } from '../../util/sqlite.js';
import type { CpeMatchRule, StoredAdvisory, VulnInfo } from '../../core/advisory.js';
import { type AdvisoryRow, decodeAdvisory, encodeAdvisory, encodePackageRow } from './codec.js';
import { FEED_TABLES, FEED_TABLE_COLUMNS, type FeedTable, INDEXES, PACKAGE_ROW_INDEX, SCHEMA_VERSION, TABLES } from './schema.js';
import type { FeedRecord } from '../source.js';
import { aliasQueries } from './aliases.js';
import { vulnIdsOf } from './vuln-ids.js';

export interface FeedRowMeta {
  source: string;
  reader: string;
  input: string;
  version?: string;
  hash?: string;
  etag?: string;
  lastModified?: string;
  records: number;
  skipped: number;
  skipReasons: string[];
  fetchedAt?: string;
  readMs?: number;
}

/** A feed row as stored, with the rowid ranges of its data rows. */
export interface StoredFeed extends FeedRowMeta {
  feed: number;
  rows: Partial<Record<FeedTable, [number, number]>>;
}

const BATCH = 20_000;

export class DbWriter {
  private readonly db: Database.Database;
  private readonly insert: Record<FeedTable, Database.Statement>;
  private feed = 0;
  private pending = 0;
  private rows: Partial<Record<FeedTable, [number, number]>> = {};
  private attached = false;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('page_size = 8192');
    this.db.pragma('cache_size = -65536');
    this.db.exec(TABLES);
    const stmt = (table: FeedTable) => {
      const cols = ['feed', ...FEED_TABLE_COLUMNS[table]];
      return this.db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    };
    this.insert = { advisory: stmt('advisory'), vuln: stmt('vuln'), alias: stmt('alias'), cpe: stmt('cpe'), ecosystem: stmt('ecosystem') };
  }

  /** Starts a feed; its rows follow until endFeed. */
  beginFeed(): void {
    this.feed++;
    this.rows = {};
    this.db.exec('BEGIN');
    this.pending = 0;
  }

  private track(table: FeedTable, rowid: number | bigint): void {
    const id = Number(rowid);
    const r = this.rows[table];
    if (r) r[1] = id;
    else this.rows[table] = [id, id];
  }

  private run(table: FeedTable, values: unknown[]): void {
    const info = this.insert[table].run(this.feed, ...values);
    this.track(table, info.lastInsertRowid);
    if (++this.pending >= BATCH) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  add(record: FeedRecord): void {
    switch (record.kind) {
      case 'advisory': {
        const r = encodeAdvisory(record.advisory);
        this.run('advisory', [r.ecosystem, r.package, r.id, r.status, r.fixed, r.note, r.severity, r.extra]);
        break;
      }
      case 'vuln': {
        const { id, ...rest } = record.info;
        this.run('vuln', [id, JSON.stringify(compactInfo(rest))]);
        break;
      }
      case 'alias':
        this.run('alias', [record.id, record.alias, record.relation]);
        break;
      case 'cpe': {
        const { vulnerability, ...rule } = record.rule;
        this.run('cpe', [record.vendor, record.product, JSON.stringify({ vulnerability, ...rule } satisfies CpeMatchRule)]);
        break;
      }
      case 'ecosystem':
        this.run('ecosystem', [record.ecosystem]);
        break;
    }
  }

  /** Copies a feed's rows from a previous database (by rowid range), as this file's next feed. */
  copyFeed(previousPath: string, previous: StoredFeed): void {
    if (!this.attached) {
      this.db.prepare('ATTACH DATABASE ? AS old').run(previousPath);
      this.attached = true;
    }
    for (const table of FEED_TABLES) {
      const range = previous.rows[table];
      if (!range) continue;
      const cols = FEED_TABLE_COLUMNS[table].join(', ');
      const before = this.db.prepare(`SELECT coalesce(max(rowid), 0) AS m FROM ${table}`).get() as { m: number };
      const info = this.db
        .prepare(`INSERT INTO ${table} (feed, ${cols}) SELECT ?, ${cols} FROM old.${table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid`)
        .run(this.feed, range[0], range[1]);
      if (info.changes > 0) {
        this.rows[table] = [before.m + 1, Number(info.lastInsertRowid)];
      }
    }
  }

  endFeed(meta: FeedRowMeta): StoredFeed {
    const stored: StoredFeed = { ...meta, feed: this.feed, rows: this.rows };
    this.db
      .prepare(
        `INSERT INTO feed (feed, source, reader, input, version, hash, etag, last_modified, records, skipped, skip_reasons, fetched_at, read_ms, rows)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        this.feed,
        meta.source,
        meta.reader,
        meta.input,
        meta.version ?? null,
        meta.hash ?? null,
        meta.etag ?? null,
        meta.lastModified ?? null,
        meta.records,
        meta.skipped,
        JSON.stringify(meta.skipReasons),
        meta.fetchedAt ?? null,
        meta.readMs ?? null,
        JSON.stringify(this.rows),
      );
    this.db.exec('COMMIT');
    return stored;
  }

  /** Abandons the feed being written (its rows are rolled back). */
  abortFeed(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** Derived tables, indexes, metadata; closes the file. */
  finish(meta: { builtAt: string; strataVersion?: string }): void {
    if (this.attached) {
      this.db.exec('DETACH DATABASE old');
      this.attached = false;
    }
    this.db.exec('BEGIN');
    this.buildAliasGroups();
    const putMeta = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    putMeta.run('schema_version', String(SCHEMA_VERSION));
    putMeta.run('built_at', meta.builtAt);
    if (meta.strataVersion) putMeta.run('strata_version', meta.strataVersion);
    this.db.exec('COMMIT');
    this.db.exec(INDEXES);
    this.buildPackageRows();
    this.db.exec('ANALYZE');
    this.db.pragma('journal_mode = DELETE');
    this.db.close();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * One `package_row` per (ecosystem, package): its advisories in row order,
   * each with its source and resolved vulnerability ids (schema.ts). Rows
   * come out of the (ecosystem, package) index already grouped.
   */
  private buildPackageRows(): void {
    const sources = new Map(
      (this.db.prepare('SELECT feed, source FROM feed').all() as Array<{ feed: number; source: string }>).map((f) => [f.feed, f.source]),
    );
    const aliases = aliasQueries(this.db);
    const linked = (id: string) => aliases.linked(id);
    const insert = this.db.prepare('INSERT INTO package_row (ecosystem, package, data) VALUES (?, ?, ?)');
    // Pages by (ecosystem, package, rowid): a statement cannot be iterated while this connection inserts.
    const page = this.db.prepare(
      `SELECT rowid AS r, feed, ecosystem, package, id, status, fixed, note, severity, extra FROM advisory
       WHERE (ecosystem, package, rowid) > (?, ?, ?) ORDER BY ecosystem, package, rowid LIMIT ${BATCH}`,
    );
    let key: [string, string] | undefined;
    let group: StoredAdvisory[] = [];
    const flush = () => {
      if (key && group.length) insert.run(key[0], key[1], encodePackageRow(group));
      group = [];
    };
    this.db.exec('BEGIN');
    let after: [string, string, number] = ['', '', 0];
    for (;;) {
      const rows = page.all(...after) as Array<AdvisoryRow & { r: number; feed: number }>;
      for (const row of rows) {
        if (!key || key[0] !== row.ecosystem || key[1] !== row.package) {
          flush();
          key = [row.ecosystem, row.package];
        }
        const adv = decodeAdvisory(row, sources.get(row.feed) ?? 'unknown');
        group.push({ ...adv, vulnIds: vulnIdsOf(adv, linked) });
      }
      const last = rows.at(-1);
      if (!last || rows.length < BATCH) break;
      after = [last.ecosystem, last.package, last.r];
    }
    flush();
    this.db.exec('COMMIT');
    this.db.exec(PACKAGE_ROW_INDEX);
  }

  /**
   * Union-find over `alias` edges (OSV aliases, Alpine id + aliases): every
   * id of a group of two or more gets the group's number. `fixes` edges
   * (DSA → its CVEs) are one-to-many and are not merged.
   */
  private buildAliasGroups(): void {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
      for (let cur = x; cur !== root; ) {
        const next = parent.get(cur) as string;
        parent.set(cur, root);
        cur = next;
      }
      return root;
    };
    for (const row of this.db.prepare("SELECT id, alias FROM alias WHERE relation = 'alias'").iterate() as Iterable<{ id: string; alias: string }>) {
      if (!parent.has(row.id)) parent.set(row.id, row.id);
      if (!parent.has(row.alias)) parent.set(row.alias, row.alias);
      const a = find(row.id);
      const b = find(row.alias);
      if (a !== b) parent.set(a, b);
    }
    const groups = new Map<string, number>();
    const insert = this.db.prepare('INSERT INTO alias_group (id, grp) VALUES (?, ?)');
    for (const id of parent.keys()) {
      const root = find(id);
      let g = groups.get(root);
      if (g === undefined) {
        g = groups.size + 1;
        groups.set(root, g);
      }
      insert.run(id, g);
    }
  }
}

/** Drops empty fields so parts stay small. */
function compactInfo(info: Omit<VulnInfo, 'id'>): Partial<VulnInfo> {
  const out: Partial<VulnInfo> = {};
  for (const [k, v] of Object.entries(info) as [keyof VulnInfo, unknown][]) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
