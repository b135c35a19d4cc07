/**
 * The SQLite schema of the vulnerability database. Bump SCHEMA_VERSION on
 * any change a reader would notice; readers refuse other versions with a
 * message to run `strata db update` or `strata db build`.
 *
 * Every data row carries the `feed` it came from (feed = one input of one
 * source), and a feed's rows are written contiguously, so an incremental
 * build copies an unchanged feed's rows from the previous file by rowid range.
 *
 * `package_row` is derived at the end of every build: one row per
 * (ecosystem, package) holding all of its advisories (codec.ts: deflated JSON), decoded, with their
 * feed's source and the vulnerability ids each speaks for (alias groups
 * resolved), so matching reads one row per package and asks nothing else.
 */

export const SCHEMA_VERSION = 2;

/** Tables; indexes are created after the bulk load (see INDEXES). */
export const TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE feed (
  feed INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  reader TEXT NOT NULL,
  input TEXT NOT NULL,
  version TEXT,
  hash TEXT,
  etag TEXT,
  last_modified TEXT,
  records INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  skip_reasons TEXT NOT NULL,
  fetched_at TEXT,
  read_ms INTEGER,
  rows TEXT NOT NULL
);
CREATE TABLE advisory (
  feed INTEGER NOT NULL,
  ecosystem TEXT NOT NULL,
  package TEXT NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL,
  fixed TEXT,
  note TEXT,
  severity TEXT,
  extra TEXT
);
CREATE TABLE vuln (feed INTEGER NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE alias (feed INTEGER NOT NULL, id TEXT NOT NULL, alias TEXT NOT NULL, relation TEXT NOT NULL);
CREATE TABLE cpe (feed INTEGER NOT NULL, vendor TEXT NOT NULL, product TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE ecosystem (feed INTEGER NOT NULL, ecosystem TEXT NOT NULL);
CREATE TABLE alias_group (id TEXT PRIMARY KEY, grp INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE package_row (ecosystem TEXT NOT NULL, package TEXT NOT NULL, data BLOB NOT NULL);
`;

export const INDEXES = `
CREATE INDEX advisory_by_package ON advisory (ecosystem, package);
CREATE INDEX advisory_by_id ON advisory (id);
CREATE INDEX vuln_by_id ON vuln (id);
CREATE INDEX alias_by_id ON alias (id, relation);
CREATE INDEX cpe_by_product ON cpe (vendor, product);
CREATE INDEX ecosystem_by_name ON ecosystem (ecosystem);
CREATE INDEX alias_group_by_grp ON alias_group (grp);
`;

/** Made after package_row is filled (a rowid table: its rows are large, which WITHOUT ROWID packs badly). */
export const PACKAGE_ROW_INDEX = 'CREATE UNIQUE INDEX package_row_by_key ON package_row (ecosystem, package)';

/** Tables whose rows belong to a feed and are copied by rowid range. */
export const FEED_TABLES = ['advisory', 'vuln', 'alias', 'cpe', 'ecosystem'] as const;
export type FeedTable = (typeof FEED_TABLES)[number];

export const FEED_TABLE_COLUMNS: Record<FeedTable, string[]> = {
  advisory: ['ecosystem', 'package', 'id', 'status', 'fixed', 'note', 'severity', 'extra'],
  vuln: ['id', 'data'],
  alias: ['id', 'alias', 'relation'],
  cpe: ['vendor', 'product', 'data'],
  ecosystem: ['ecosystem'],
};
