/**
 * The read side of the SQLite database (`VulnStore`): a read-only
 * connection and prepared statements. A package's advisories are one
 * `package_row` (schema.ts), decoded once and kept in a bounded LRU, so a
 * long-running server re-matching many inventories decodes each hot package
 * once. A rebuild renames a new file over this one; an open store keeps
 * reading the file it opened, so its answers stay consistent until it is
 * reopened.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { type Database, openDatabase } from '../../util/sqlite.js';
import type {
  AdvisorySnapshot,
  CpeMatchRule,
  DbMetadata,
  LookupRequest,
  Severity,
  SourceMeta,
  StoredAdvisory,
  VulnInfo,
  VulnStore,
} from '../../core/advisory.js';
import { StrataError } from '../../core/errors.js';
import { LruCache } from '../../util/lru.js';
import { checkRegularFileSync } from '../../util/regular-file.js';
import { verifyDatabaseDigest } from '../integrity.js';
import { normalizeEcosystem, normalizePackageName } from '../names.js';
import { type AliasQueries, aliasQueries } from './aliases.js';
import { type AdvisoryRow, decodeAdvisory, decodePackageRow } from './codec.js';
import { SCHEMA_VERSION } from './schema.js';
import { snapshotOf } from './snapshot.js';

/** Decoded package rows and vulnerability facts kept per open store (entries, not bytes: rows are small on average). */
const PACKAGE_CACHE_ENTRIES = 2048;
const VULN_CACHE_ENTRIES = 8192;
const NONE: readonly StoredAdvisory[] = Object.freeze([]);

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
function checkFile(path: string, verifyDigest: boolean): void {
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
  if (verifyDigest) verifyDatabaseDigest(path);
}

export class SqliteVulnStore implements VulnStore {
  private readonly db: Database.Database;
  private readonly feeds = new Map<number, string>();
  private readonly covered: ReadonlySet<string>;
  private readonly aliases: AliasQueries;
  private readonly stmts: {
    packageRow: Database.Statement;
    byId: Database.Statement;
    vuln: Database.Statement;
    cpe: Database.Statement;
  };
  private readonly meta: DbMetadata;
  private readonly rows = new LruCache<string, readonly StoredAdvisory[]>(PACKAGE_CACHE_ENTRIES);
  private readonly infos = new LruCache<string, VulnInfo | null>(VULN_CACHE_ENTRIES);

  constructor(
    readonly path: string,
    options: OpenStoreOptions = {},
  ) {
    checkFile(path, options.verifyDigest ?? true);
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
      this.covered = new Set(this.db.prepare('SELECT DISTINCT ecosystem FROM ecosystem').pluck().all() as string[]);
      this.aliases = aliasQueries(this.db);
      this.stmts = {
        packageRow: this.db.prepare('SELECT data FROM package_row WHERE ecosystem = ? AND package = ?').pluck(),
        byId: this.db.prepare('SELECT feed, ecosystem, package, id, status, fixed, note, severity, extra FROM advisory WHERE id = ? LIMIT 1'),
        vuln: this.db.prepare('SELECT feed, data FROM vuln WHERE id = ?'),
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

  // SQLite answers synchronously; the promise is the boundary's shape (a throw inside the executor rejects it).
  lookup(request: LookupRequest): Promise<AdvisorySnapshot> {
    return new Promise((resolve) =>
      resolve(
        snapshotOf(request, {
          advisories: (ecosystem, name) => this.packageAdvisories(ecosystem, name),
          cpeMatches: (vendor, product) => this.cpeMatches(vendor, product),
          covers: (ecosystem) => this.covered.has(ecosystem),
        }),
      ),
    );
  }

  vulnerabilities(ids: readonly string[]): Promise<ReadonlyMap<string, VulnInfo>> {
    return new Promise((resolve) => {
      const out = new Map<string, VulnInfo>();
      for (const id of ids) {
        const info = this.vulnerability(id);
        if (info) out.set(id, info);
      }
      resolve(out);
    });
  }

  /** One package's advisories: one indexed read of its `package_row`, decoded once per LRU lifetime. */
  private packageAdvisories(ecosystem: string, name: string): readonly StoredAdvisory[] {
    const key = `${ecosystem}\u0000${name}`;
    let found = this.rows.get(key);
    if (found === undefined) {
      const data = this.stmts.packageRow.get(ecosystem, name) as Buffer | undefined;
      found = data === undefined ? NONE : decodePackageRow(data);
      this.rows.set(key, found);
    }
    return found;
  }

  /** All advisories for a package in an ecosystem (the ecosystem's name normalisation applied): for tools and tests. */
  advisoriesFor(ecosystem: string, pkg: string): readonly StoredAdvisory[] {
    const eco = normalizeEcosystem(ecosystem);
    return this.packageAdvisories(eco, normalizePackageName(eco, pkg));
  }

  /**
   * Every id known to name the same vulnerability (CVE ↔ GHSA ↔ PYSEC/GO/RUSTSEC, …),
   * plus, for a DSA/DLA/USN, the CVEs it fixes. Does not include `id` itself.
   */
  aliasesOf(id: string): string[] {
    return this.aliases.linked(id);
  }

  private parts(id: string): { source: string; info: Partial<VulnInfo> }[] {
    const rows = this.stmts.vuln.all(id) as { feed: number; data: string }[];
    return rows
      .map((r) => ({ source: this.source(r.feed), info: JSON.parse(r.data) as Partial<VulnInfo> }))
      .sort((a, b) => partPriority(a.source) - partPriority(b.source));
  }

  /** NVD/KEV/EPSS facts for a vulnerability id, merged across feeds; another name of a CVE answers with the CVE's facts. */
  vulnerability(id: string): VulnInfo | undefined {
    const cached = this.infos.get(id);
    if (cached !== undefined) return cached ?? undefined;
    const info = this.readVulnerability(id);
    this.infos.set(id, info ?? null);
    return info;
  }

  private readVulnerability(id: string): VulnInfo | undefined {
    let parts = this.parts(id);
    let canonical = id;
    if (parts.length === 0) {
      // Another name of a CVE (GHSA, PYSEC, GO, RUSTSEC …): answer with the CVE's facts.
      for (const m of this.aliases.groupOf(id).filter((x) => x.startsWith('CVE-'))) {
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
        for (const m of this.aliases.groupOf(id)) {
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

  /** Whether any source covers this ecosystem. */
  covers(ecosystem: string): boolean {
    return this.covered.has(normalizeEcosystem(ecosystem));
  }

  /** NVD CPE match rules for a vendor and product. */
  cpeMatches(vendor: string, product: string): CpeMatchRule[] {
    return (this.stmts.cpe.all(vendor.toLowerCase(), product.toLowerCase()) as string[]).map((d) => JSON.parse(d) as CpeMatchRule);
  }

  metadata(): DbMetadata {
    return this.meta;
  }

  close(): void {
    this.rows.clear();
    this.infos.clear();
    if (this.db.open) this.db.close();
  }
}

export interface OpenStoreOptions {
  /**
   * Hash the whole file against the digest recorded at build/update time
   * (integrity.ts; default true). Scans pass false: they check SQLite's header
   * and the file's size only, so opening costs milliseconds, not a read of the
   * whole file; `db status`, `db update`/`push` and a server loading a database
   * check the digest.
   */
  verifyDigest?: boolean;
}

/** Opens the database file read-only; a missing, corrupt or wrong-schema file is a `database` StrataError saying what to run. */
export function openVulnStore(path: string, options: OpenStoreOptions = {}): SqliteVulnStore {
  return new SqliteVulnStore(path, options);
}
