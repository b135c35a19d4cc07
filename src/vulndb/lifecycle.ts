/**
 * The database a scan uses: resolved (an explicit file, else STRATA_DB, else
 * the default path), updated from an OCI repository when missing or stale
 * (unless updates are off), opened read-only. A scan without a database
 * still lists packages, but a caller that needs one (a CI gate) gets an
 * error, never a silent pass. The CLI and, later, the server decide when
 * through these options; nothing here reads flags.
 */
import { existsSync } from 'node:fs';
import type { VulnStore } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_DB_REPOSITORY, dbAgeWarning, parseDuration, resolveDbPath } from './paths.js';
import { openVulnStore } from './store/sqlite.js';

export interface DatabaseOptions {
  /** The database file (default: STRATA_DB, else `$XDG_CACHE_HOME/strata/db/strata.db`). */
  db?: string;
  /** Pull the published database when the file is missing or stale. */
  update: boolean;
  /** Where it is published (default: STRATA_DB_REPOSITORY, else DEFAULT_DB_REPOSITORY). */
  repository?: string;
  /** Older than this is stale (a duration like `7d`, or milliseconds). */
  maxAge: string | number;
  /** Plain HTTP and unverified TLS for the repository's registry. */
  insecure?: boolean;
  /** Why a database is required: without one, this is thrown (after the reason there is none) instead of warned. */
  required?: string;
}

export interface OpenedDatabase {
  store?: VulnStore;
  path: string;
}

function repositoryOf(options: DatabaseOptions): string {
  return options.repository ?? process.env.STRATA_DB_REPOSITORY ?? DEFAULT_DB_REPOSITORY;
}

/** Pulls the published database over `path`; the reason it could not, or undefined. */
async function tryUpdate(path: string, options: DatabaseOptions, logger: Logger): Promise<string | undefined> {
  const repo = repositoryOf(options);
  logger.info(`updating the vulnerability database from ${repo} …`);
  try {
    // The registry client loads only when an update is attempted.
    const { pullDatabase } = await import('./artifact.js');
    const pulled = await pullDatabase(repo, path, { logger, signal: AbortSignal.timeout(120_000), ...(options.insecure ? { insecure: true } : {}) });
    logger.debug(`database ${pulled.updated ? 'updated' : 'already current'}: ${pulled.reference} ${pulled.manifestDigest}`);
    return undefined;
  } catch (e) {
    return `could not update the vulnerability database from ${repo}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Opens (and when allowed, first updates) the database; what a scan should know about it is warned through `logger`. */
export async function openDatabase(options: DatabaseOptions, logger: Logger): Promise<OpenedDatabase> {
  const path = resolveDbPath(options.db);
  const maxAge = typeof options.maxAge === 'number' ? options.maxAge : parseDuration(options.maxAge);

  if (!existsSync(path)) {
    const failed = options.update ? await tryUpdate(path, options, logger) : undefined;
    if (!existsSync(path)) {
      const why = `no vulnerability database at ${path}${failed ? ` (${failed})` : ''}: run 'strata db build' (or 'strata db update')`;
      if (options.required !== undefined) throw new StrataError('database', `${why}; ${options.required}`);
      logger.warn(why);
      return { path };
    }
  }

  // A scan checks the header, not the whole file's digest (store/sqlite.ts OpenStoreOptions).
  let store = openVulnStore(path, { verifyDigest: false });
  const stale = dbAgeWarning(store.metadata(), maxAge);
  if (stale && options.update) {
    const failed = await tryUpdate(path, options, logger);
    if (failed) logger.warn(failed);
    else {
      store.close();
      store = openVulnStore(path, { verifyDigest: false });
    }
  }
  const still = dbAgeWarning(store.metadata(), maxAge);
  if (still) logger.warn(still);
  return { store, path };
}
