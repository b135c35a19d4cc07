/**
 * The database a scan uses: resolved from --db / STRATA_DB, updated from an
 * OCI repository when missing or stale (unless --skip-db-update/--offline),
 * opened read-only. A scan without a database still lists packages, but a
 * CI gate (--exit-code) without one is an error, never a silent pass.
 */
import { existsSync } from 'node:fs';
import type { VulnStore } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { DEFAULT_DB_REPOSITORY, dbAgeWarning, parseDuration, resolveDbPath } from '../vulndb/paths.js';
import { openVulnStore } from '../vulndb/store/sqlite.js';

export interface DatabaseFlags {
  db?: string;
  skipDbUpdate?: boolean;
  offline?: boolean;
  dbRepository?: string;
  maxDbAge?: string;
  exitCode?: number;
  insecure?: boolean;
}

export interface OpenedDatabase {
  store?: VulnStore;
  path: string;
}

function repositoryOf(flags: DatabaseFlags): string {
  return flags.dbRepository ?? process.env.STRATA_DB_REPOSITORY ?? DEFAULT_DB_REPOSITORY;
}

async function tryUpdate(path: string, flags: DatabaseFlags, logger: Logger): Promise<string | undefined> {
  const repo = repositoryOf(flags);
  logger.info(`updating the vulnerability database from ${repo} …`);
  try {
    // The registry client loads only when an update is attempted.
    const { pullDatabase } = await import('../vulndb/artifact.js');
    const pulled = await pullDatabase(repo, path, { logger, signal: AbortSignal.timeout(120_000), ...(flags.insecure ? { insecure: true } : {}) });
    logger.debug(`database ${pulled.updated ? 'updated' : 'already current'}: ${pulled.reference} ${pulled.manifestDigest}`);
    return undefined;
  } catch (e) {
    return `could not update the vulnerability database from ${repo}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Opens (and when allowed, first updates) the database; what the scan should know about it is warned through `logger`. */
export async function openDatabaseForScan(flags: DatabaseFlags, logger: Logger): Promise<OpenedDatabase> {
  const path = resolveDbPath(flags.db);
  const maxAge = parseDuration(flags.maxDbAge ?? '7d');
  const mayUpdate = !flags.skipDbUpdate && !flags.offline;

  if (!existsSync(path)) {
    const failed = mayUpdate ? await tryUpdate(path, flags, logger) : undefined;
    if (!existsSync(path)) {
      const why = `no vulnerability database at ${path}${failed ? ` (${failed})` : ''}: run 'strata db build' (or 'strata db update')`;
      if (flags.exitCode !== undefined) throw new StrataError('database', `${why}; --exit-code needs a database to gate on`);
      logger.warn(why);
      return { path };
    }
  }

  let store = openVulnStore(path);
  const stale = dbAgeWarning(store.metadata(), maxAge);
  if (stale && mayUpdate) {
    const failed = await tryUpdate(path, flags, logger);
    if (failed) logger.warn(failed);
    else {
      store.close();
      store = openVulnStore(path);
    }
  }
  const still = dbAgeWarning(store.metadata(), maxAge);
  if (still) logger.warn(still);
  return { store, path };
}
