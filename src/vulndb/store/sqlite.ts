/**
 * The read side of the SQLite database (`VulnStore`): a read-only
 * connection, prepared statements, JSON decoded per row. A rebuild renames a
 * new file over this one; an open store keeps reading the file it opened, so
 * its answers stay consistent until it is reopened.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { type Database, openDatabase } from '../../util/sqlite.js';
import type { Advisory, CpeMatchRule, DbMetadata, Severity, SourceMeta, VulnInfo, VulnStore } from '../../core/advisory.js';
import { StrataError } from '../../core/errors.js';
import { checkRegularFileSync } from '../../util/regular-file.js';
import { verifyDatabaseDigest } from '../integrity.js';
import { normalizeEcosystem, normalizePackageName } from '../names.js';
import { type AdvisoryRow, decodeAdvisory } from './codec.js';
import { SCHEMA_VERSION } from './schema.js';

/** An advisory row as `.raw()` returns it: feed, ecosystem, package, id, status, fixed, note, severity, extra. */
type AdvisoryTuple = [number, string, string, string, string, string | null, string | null, string | null, string | null];

const FIX = "run 'strata db update' to download a current database, or 'strata db build' to build one";

/** Which parts win when several feeds describe the same vulnerability (lower first). */
function partPriority(source: string): number {
  if (source === 'nvd') return 0;
  if (source.startsWith('osv-')) return 1;
  if (source === 'kev' || source === 'epss') return 3;
  return 2;
}

interface FeedRow {
  feed: number;
  source: string;
  input: string;
  version: string | null;
  hash: string | null;
  etag: string | null;
  last_modified: string | null;
  records: number;
  skipped: number;
  skip_reasons: string;
  fetched_at: string | null;
}

/** Checks the file is an SQLite database of the size its header claims (a truncated copy is caught here). */
function checkFile(path: string): void {
  if (!existsSync(path)) throw new StrataError('database', `no vulnerability database at ${path}: ${FIX}`, { path });
  checkRegularFileSync(path, { what: 'vulnerability database', hint: `--db (or STRATA_DB) must name the database file; ${FIX}` });
  const size = statSync(path).size;
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new StrataError('database', `${path} is not a Strata vulnerability database (not an SQLite file): ${FIX}`, { path });
  }
  const pageSizeRaw = header.readUInt16BE(16);
  const pageSize = pageSizeRaw === 1 ? 65536 : pageSizeRaw;
  const pages = header.readUInt32BE(28);
  const changeCounter = header.readUInt32BE(24);
  const validFor = header.readUInt32BE(92);
  if (pages > 0 && validFor === changeCounter && size < pages * pageSize) {
    throw new StrataError('database', `vulnerability database ${path} is truncated (${size} of ${pages * pageSize} bytes): ${FIX}`, { path });
  }
  verifyDatabaseDigest(path);
}

export class SqliteVulnStore implements VulnStore {
  private readonly db: Database.Database;
  private readonly feeds = new Map<number, string>();
  private readonly packages = new Map<string, Set<string>>();
  private readonly stmts: {
    byPackage: Database.Statement;
    packagesOf: Database.Statement;
    byId: Database.Statement;
    vuln: Database.Statement;
    group: Database.Statement;
    groupMembers: Database.Statement;
    fixes: Database.Statement;
    covers: Database.Statement;
    cpe: Database.Statement;
  };
  private readonly meta: DbMetadata;

  constructor(readonly path: string) {
    checkFile(path);
    try {
      this.db = openDatabase(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw new StrataError('database', `cannot open vulnerability database ${path}: ${(e as Error).message}: ${FIX}`, { path }, { cause: e });
    }
    try {
      // Reads through mmap instead of copying pages into SQLite's cache: lookups
      // land all over a 40+ MB file, and a rebuild replaces the file by rename, so
      // the mapping of the old file stays valid for this reader.
      this.db.pragma('mmap_size = 1073741824');
      const version = this.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
      if (version === undefined || Number(version) !== SCHEMA_VERSION) {
        throw new StrataError(
          'database',
          `vulnerability database ${path} has schema version ${version ?? 'unknown'}, this Strata reads version ${SCHEMA_VERSION}: ${FIX}`,
          { path },
        );
      }
      const builtAt = (this.db.prepare("SELECT value FROM meta WHERE key = 'built_at'").pluck().get() as string | undefined) ?? '';
      const sources: SourceMeta[] = [];
      for (const f of this.db.prepare('SELECT * FROM feed ORDER BY feed').all() as FeedRow[]) {
        this.feeds.set(f.feed, f.source);
        const s: SourceMeta = { id: f.source, input: f.input, records: f.records, skipped: f.skipped };
        const version = f.version ?? f.etag ?? f.last_modified ?? undefined;
        if (version) s.version = version;
        if (f.hash) s.hash = f.hash;
        if (f.fetched_at) s.fetchedAt = f.fetched_at;
        const reasons = JSON.parse(f.skip_reasons) as string[];
        if (reasons.length) s.skipReasons = reasons;
        sources.push(s);
      }
      this.meta = { schemaVersion: SCHEMA_VERSION, builtAt, path, sources };
      this.stmts = {
        byPackage: this.db.prepare('SELECT feed, ecosystem, package, id, status, fixed, note, severity, extra FROM advisory WHERE ecosystem = ? AND package = ?').raw(),
        packagesOf: this.db.prepare('SELECT DISTINCT package FROM advisory WHERE ecosystem = ?').pluck(),
        byId: this.db.prepare('SELECT feed, ecosystem, package, id, status, fixed, note, severity, extra FROM advisory WHERE id = ? LIMIT 1'),
        vuln: this.db.prepare('SELECT feed, data FROM vuln WHERE id = ?'),
        group: this.db.prepare('SELECT grp FROM alias_group WHERE id = ?').pluck(),
        groupMembers: this.db.prepare('SELECT id FROM alias_group WHERE grp = ? ORDER BY id').pluck(),
        fixes: this.db.prepare("SELECT DISTINCT alias FROM alias WHERE id = ? AND relation = 'fixes' ORDER BY alias").pluck(),
        covers: this.db.prepare('SELECT 1 FROM ecosystem WHERE ecosystem = ? LIMIT 1').pluck(),
        cpe: this.db.prepare('SELECT data FROM cpe WHERE vendor = ? AND product = ?').pluck(),
      };
    } catch (e) {
      this.db.close();
      if (e instanceof StrataError) throw e;
      throw new StrataError('database', `vulnerability database ${path} is corrupt or not a Strata database (${(e as Error).message}): ${FIX}`, { path }, { cause: e });
    }
  }

  private source(feed: number): string {
    return this.feeds.get(feed) ?? 'unknown';
  }

  /**
   * The packages with advisories, per ecosystem, loaded on first use: most
   * lookups of a scan are misses (language packages without advisories),
   * answered here without a query.
   */
  private packagesOf(ecosystem: string): Set<string> {
    let set = this.packages.get(ecosystem);
    if (!set) {
      set = new Set(this.stmts.packagesOf.all(ecosystem) as string[]);
      this.packages.set(ecosystem, set);
    }
    return set;
  }

  advisoriesFor(ecosystem: string, pkg: string): Advisory[] {
    const eco = normalizeEcosystem(ecosystem);
    const name = normalizePackageName(eco, pkg);
    if (!this.packagesOf(eco).has(name)) return [];
    const rows = this.stmts.byPackage.all(eco, name) as AdvisoryTuple[];
    return rows.map((r) =>
      decodeAdvisory({ ecosystem: r[1], package: r[2], id: r[3], status: r[4], fixed: r[5], note: r[6], severity: r[7], extra: r[8] }, this.source(r[0])),
    );
  }

  aliasesOf(id: string): string[] {
    const out = new Set<string>();
    const grp = this.stmts.group.get(id) as number | undefined;
    if (grp !== undefined) for (const m of this.stmts.groupMembers.all(grp) as string[]) out.add(m);
    for (const x of this.stmts.fixes.all(id) as string[]) out.add(x);
    out.delete(id);
    return [...out];
  }

  private parts(id: string): { source: string; info: Partial<VulnInfo> }[] {
    const rows = this.stmts.vuln.all(id) as { feed: number; data: string }[];
    return rows
      .map((r) => ({ source: this.source(r.feed), info: JSON.parse(r.data) as Partial<VulnInfo> }))
      .sort((a, b) => partPriority(a.source) - partPriority(b.source));
  }

  vulnerability(id: string): VulnInfo | undefined {
    let parts = this.parts(id);
    let canonical = id;
    if (parts.length === 0) {
      // Another name of a CVE (GHSA, PYSEC, GO, RUSTSEC …): answer with the CVE's facts.
      const grp = this.stmts.group.get(id) as number | undefined;
      const members = grp === undefined ? [] : (this.stmts.groupMembers.all(grp) as string[]);
      for (const m of members.filter((x) => x.startsWith('CVE-'))) {
        parts = this.parts(m);
        if (parts.length) {
          canonical = m;
          break;
        }
      }
    }
    if (parts.length === 0) {
      // No vulnerability record: describe it from its own advisory, else from an alias's (a GHSA id → its RUSTSEC record).
      let row = this.stmts.byId.get(id) as (AdvisoryRow & { feed: number }) | undefined;
      if (!row) {
        const grp = this.stmts.group.get(id) as number | undefined;
        for (const m of grp === undefined ? [] : (this.stmts.groupMembers.all(grp) as string[])) {
          row = this.stmts.byId.get(m) as (AdvisoryRow & { feed: number }) | undefined;
          if (row) break;
        }
      }
      if (!row) return undefined;
      const a = decodeAdvisory(row, this.source(row.feed));
      const info: VulnInfo = { id, aliases: this.aliasesOf(id), severity: a.severity };
      if (a.summary) info.summary = a.summary;
      if (a.details) info.description = a.details;
      if (a.cwes) info.cwes = a.cwes;
      if (a.published) info.published = a.published;
      if (a.modified) info.modified = a.modified;
      if (a.references) info.references = a.references;
      return info;
    }
    const info: VulnInfo = { id: canonical, aliases: [], severity: [] };
    const aliases = new Set(this.aliasesOf(canonical));
    if (canonical !== id) aliases.add(id);
    const severities: Severity[] = [];
    for (const { info: p } of parts) {
      for (const a of p.aliases ?? []) aliases.add(a);
      severities.push(...(p.severity ?? []));
      for (const key of ['summary', 'description', 'published', 'modified', 'kev', 'epss', 'rejected'] as const) {
        if (info[key] === undefined && p[key] !== undefined) (info as unknown as Record<string, unknown>)[key] = p[key];
      }
      if (p.cwes?.length) info.cwes = [...new Set([...(info.cwes ?? []), ...p.cwes])];
      if (p.references?.length) info.references = [...new Set([...(info.references ?? []), ...p.references])];
    }
    aliases.delete(canonical);
    info.aliases = [...aliases];
    info.severity = severities;
    return info;
  }

  covers(ecosystem: string): boolean {
    return this.stmts.covers.get(normalizeEcosystem(ecosystem)) !== undefined;
  }

  cpeMatches(vendor: string, product: string): CpeMatchRule[] {
    return (this.stmts.cpe.all(vendor.toLowerCase(), product.toLowerCase()) as string[]).map((d) => JSON.parse(d) as CpeMatchRule);
  }

  metadata(): DbMetadata {
    return this.meta;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens the database file read-only; a missing, corrupt or wrong-schema file is a `database` StrataError saying what to run. */
export function openVulnStore(path: string): VulnStore {
  return new SqliteVulnStore(path);
}
