/**
 * `buildDatabase`: feeds in, one SQLite file out, swapped in atomically.
 *
 * - The new database is written to a uniquely named temp file next to the
 *   target and renamed over it only when complete: a reader that opened the
 *   old file keeps reading it, a build killed half-way leaves the old file
 *   untouched (and a stale temp file, removed by the next build), and two
 *   builds at once each rename a complete file (the last one wins).
 * - A feed whose input did not change (same sha256, or HTTP 304 on the
 *   previous ETag/Last-Modified) and whose reader version is the same is not
 *   re-read: its rows are copied from the previous database.
 * - Each feed's records taken and skipped, with the first few reasons and
 *   where, are logged and stored in the file (`strata db status`).
 * - A feed that cannot be read at all fails the build with its name and
 *   input, and the existing database stays in place.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Database, openDatabase } from '../util/sqlite.js';
import { isAlive, makeTempDir, sweepStaleTemp } from '../util/temp-files.js';
import type { SourceMeta } from '../core/advisory.js';
import { StrataError, toStrataError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import { type PreviousFeed, type ResolvedFeed, resolveFeeds } from './inputs.js';
import { recordDatabaseDigest } from './integrity.js';
import { liveFeeds } from './live.js';
import type { SkipWhere } from './source.js';
import { SCHEMA_VERSION } from './store/schema.js';
import { DbWriter, type StoredFeed } from './store/writer.js';

export interface BuildOptions {
  /** `--from` values; empty or absent means the live feeds (live.ts). */
  inputs?: readonly string[];
  /** The database file to create or replace. */
  output: string;
  logger?: Logger;
  signal?: AbortSignal;
  /** Database to copy unchanged feeds from (default: `output`). */
  previous?: string;
  /** Re-read every feed even when unchanged. */
  full?: boolean;
  /** Recorded in the file's metadata. */
  strataVersion?: string;
}

export interface BuiltFeed extends SourceMeta {
  /** Rows copied from the previous database instead of re-reading the input. */
  reused: boolean;
  durationMs: number;
}

export interface BuildResult {
  path: string;
  builtAt: string;
  durationMs: number;
  feeds: BuiltFeed[];
}

const MAX_REASONS = 5;

function reader(feed: ResolvedFeed): string {
  return `${feed.source.id}@${feed.source.version}`;
}

/** Feeds of the previous database, by input; nothing when it is missing, unreadable or of another schema. */
function previousFeeds(file: string, logger: Logger): Map<string, StoredFeed & PreviousFeed> {
  const out = new Map<string, StoredFeed & PreviousFeed>();
  let db: Database.Database | undefined;
  try {
    db = openDatabase(file, { readonly: true, fileMustExist: true });
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get();
    if (Number(version) !== SCHEMA_VERSION) return out;
    for (const r of db.prepare('SELECT * FROM feed').all() as Record<string, unknown>[]) {
      const f: StoredFeed & PreviousFeed = {
        feed: r.feed as number,
        source: r.source as string,
        reader: r.reader as string,
        input: r.input as string,
        records: r.records as number,
        skipped: r.skipped as number,
        skipReasons: JSON.parse(r.skip_reasons as string) as string[],
        rows: JSON.parse(r.rows as string) as StoredFeed['rows'],
      };
      if (r.hash) f.hash = r.hash as string;
      if (r.etag) f.etag = r.etag as string;
      if (r.last_modified) f.lastModified = r.last_modified as string;
      if (r.version) f.version = r.version as string;
      if (r.fetched_at) f.fetchedAt = r.fetched_at as string;
      out.set(f.input, f);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'SQLITE_CANTOPEN') logger.debug(`previous database ${file} not reused: ${(e as Error).message}`);
  } finally {
    db?.close();
  }
  return out;
}

/** Removes temp files of builds that died (`.<name>.<pid>.<uuid>.tmp` whose pid is gone). */
async function removeStaleTemps(dir: string, base: string, logger: Logger): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const n of names) {
    // SQLite's rollback journal (and WAL files) of the temp database die with it too.
    if (!n.startsWith(prefix) || !/\.tmp(-journal|-wal|-shm)?$/.test(n)) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
      logger.debug(`removing stale temp file of an interrupted build: ${n}`);
      await rm(path.join(dir, n), { force: true });
    }
  }
}

function formatWhere(w: SkipWhere): string {
  const parts: string[] = [];
  if (w.file) parts.push(w.line ? `${w.file}:${w.line}` : w.file);
  else if (w.line) parts.push(`line ${w.line}`);
  if (w.record) parts.push(w.record);
  return parts.join(' ');
}

export async function buildDatabase(opts: BuildOptions): Promise<BuildResult> {
  const logger = opts.logger ?? silentLogger;
  const started = Date.now();
  const output = path.resolve(opts.output);
  const dir = path.dirname(output);
  const base = path.basename(output);
  await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir, base, logger);

  const previousPath = path.resolve(opts.previous ?? output);
  const previous = opts.full ? new Map<string, StoredFeed & PreviousFeed>() : previousFeeds(previousPath, logger);
  for (const stale of sweepStaleTemp('strata-feeds-')) logger.debug(`removed ${stale}, left by a build that was killed`);
  const feedsTemp = makeTempDir('strata-feeds-');
  const tempDir = feedsTemp.dir;
  const tmpDb = path.join(dir, `.${base}.${process.pid}.${randomUUID()}.tmp`);
  let writer: DbWriter | undefined;
  try {
    let specs = opts.inputs ?? [];
    let optional = new Set<string>();
    if (specs.length === 0) {
      const live = await liveFeeds(logger, opts.signal);
      specs = live.specs;
      optional = live.optional;
      logger.info(`no --from given: reading ${specs.length} live feeds`);
    }
    const feeds = await resolveFeeds(specs, { tempDir, logger, previous, optional, ...(opts.signal ? { signal: opts.signal } : {}) });
    writer = new DbWriter(tmpDb);
    const built: BuiltFeed[] = [];
    for (const feed of feeds) {
      opts.signal?.throwIfAborted();
      const t0 = Date.now();
      const prev = previous.get(feed.input);
      const res = feed.resources[0];
      const sameReader = prev !== undefined && prev.reader === reader(feed) && prev.source === feed.feedId;
      const unchanged = sameReader && (feed.notModified === true || (res !== undefined && feed.resources.length === 1 && prev.hash === res.sha256));
      writer.beginFeed();
      let stored: StoredFeed;
      if (unchanged && prev) {
        writer.copyFeed(previousPath, prev);
        stored = writer.endFeed({
          source: prev.source,
          reader: prev.reader,
          input: prev.input,
          records: prev.records,
          skipped: prev.skipped,
          skipReasons: prev.skipReasons,
          ...(prev.version ? { version: prev.version } : {}),
          ...(res?.sha256 || prev.hash ? { hash: res?.sha256 ?? prev.hash } : {}),
          ...((res?.etag ?? prev.etag) ? { etag: res?.etag ?? prev.etag } : {}),
          ...((res?.lastModified ?? prev.lastModified) ? { lastModified: res?.lastModified ?? prev.lastModified } : {}),
          ...(prev.fetchedAt ? { fetchedAt: prev.fetchedAt } : {}),
          readMs: Date.now() - t0,
        });
        logger.info(`${feed.feedId} ${feed.input}: unchanged, ${stored.records} records reused`);
        built.push(toBuilt(stored, true, Date.now() - t0));
        continue;
      }
      if (feed.notModified) throw new StrataError('internal', `${feed.input}: not modified, but the previous rows cannot be reused`);
      let records = 0;
      let skipped = 0;
      const reasons: string[] = [];
      const ctx = {
        logger,
        ...(opts.signal ? { signal: opts.signal } : {}),
        skip(reason: string, where: SkipWhere = {}) {
          skipped++;
          if (reasons.length < MAX_REASONS) {
            const w = formatWhere(where);
            reasons.push(w ? `${w}: ${reason}` : reason);
          }
        },
      };
      try {
        for await (const record of feed.source.read(feed.resources, ctx)) {
          if (record.kind === 'advisory') record.advisory.source = feed.feedId;
          if (record.kind === 'advisory' || record.kind === 'vuln') records++;
          writer.add(record);
        }
      } catch (e) {
        writer.abortFeed();
        if (opts.signal?.aborted) throw e;
        const err = toStrataError(e, {}, 'corrupt');
        throw new StrataError(err.code, `cannot read feed ${feed.feedId} from ${feed.input}: ${err.message}`, err.where, { cause: e });
      }
      stored = writer.endFeed({
        source: feed.feedId,
        reader: reader(feed),
        input: feed.input,
        records,
        skipped,
        skipReasons: reasons,
        ...(res ? { hash: res.sha256 } : {}),
        ...(res?.etag ? { etag: res.etag } : {}),
        ...(res?.lastModified ? { lastModified: res.lastModified } : {}),
        fetchedAt: new Date().toISOString(),
        readMs: Date.now() - t0,
      });
      logger.info(`${feed.feedId} ${feed.input}: ${records} records, ${skipped} skipped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      for (const r of reasons) logger.info(`  skipped: ${r}`);
      if (skipped > reasons.length) logger.info(`  … and ${skipped - reasons.length} more`);
      built.push(toBuilt(stored, false, Date.now() - t0));
    }
    const builtAt = new Date().toISOString();
    writer.finish({ builtAt, ...(opts.strataVersion ? { strataVersion: opts.strataVersion } : {}) });
    writer = undefined;
    opts.signal?.throwIfAborted();
    const fd = openSync(tmpDb, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    recordDatabaseDigest(tmpDb, output);
    await rename(tmpDb, output);
    logger.info(`database written to ${output} (${built.length} feeds, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return { path: output, builtAt, durationMs: Date.now() - started, feeds: built };
  } catch (e) {
    writer?.close();
    await rm(tmpDb, { force: true });
    await rm(`${tmpDb}-journal`, { force: true });
    throw diskFull(e, dir) ?? e;
  } finally {
    await feedsTemp.remove();
  }
}

/** SQLite's "database or disk is full" and ENOSPC, as what they mean for the user. */
function diskFull(e: unknown, dir: string): StrataError | undefined {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (code !== 'SQLITE_FULL' && code !== 'ENOSPC' && code !== 'EDQUOT') return undefined;
  return new StrataError('io', `the disk holding ${dir} is full: the database was not written (the previous one, if any, is untouched); free space there or build with --output on another disk`, { path: dir }, { cause: e });
}

function toBuilt(f: StoredFeed, reused: boolean, durationMs: number): BuiltFeed {
  const s: BuiltFeed = { id: f.source, input: f.input, records: f.records, skipped: f.skipped, reused, durationMs };
  if (f.hash) s.hash = f.hash;
  const version = f.version ?? f.etag ?? f.lastModified;
  if (version) s.version = version;
  if (f.fetchedAt) s.fetchedAt = f.fetchedAt;
  if (f.skipReasons.length) s.skipReasons = f.skipReasons;
  return s;
}
