/**
 * Where the database lives and how old it may be. The scan commands use the
 * same rules as `strata db …`: `--db FILE`, else `STRATA_DB`, else
 * `$XDG_CACHE_HOME/strata/db/strata.db` (fallback `~/.cache/strata/db/strata.db`).
 */
import os from 'node:os';
import path from 'node:path';
import type { DbMetadata } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import { SCHEMA_VERSION } from './store/schema.js';

/** Where `strata db update` pulls from unless `--db-repository` or STRATA_DB_REPOSITORY says otherwise. */
export const DEFAULT_DB_REPOSITORY = `ghcr.io/strata-scanner/strata-db:${SCHEMA_VERSION}`;

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? os.homedir(), '.cache');
  return path.join(cache, 'strata', 'db', 'strata.db');
}

/** `--db` flag, else `STRATA_DB`, else the default. */
export function resolveDbPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.STRATA_DB) return path.resolve(env.STRATA_DB);
  return defaultDbPath(env);
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d`, `12h`, `30m`, `2w`, `90s` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!m || !m[1] || !m[2]) throw new StrataError('usage', `invalid duration ${JSON.stringify(text)} (use e.g. 7d, 12h, 30m, 2w)`);
  return Number(m[1]) * (UNITS[m[2].toLowerCase()] as number);
}

function describeAge(ms: number): string {
  const h = ms / 3_600_000;
  if (h < 48) return `${Math.floor(h)} hours`;
  return `${Math.floor(h / 24)} days`;
}

/**
 * A warning when the database is older than `maxAge` (ms or a duration like
 * `7d`), or undefined when it is fresh enough. Scans print it too.
 */
export function dbAgeWarning(meta: DbMetadata, maxAge: number | string, now: Date = new Date()): string | undefined {
  const limit = typeof maxAge === 'number' ? maxAge : parseDuration(maxAge);
  const built = Date.parse(meta.builtAt);
  if (Number.isNaN(built)) return `the vulnerability database${meta.path ? ` ${meta.path}` : ''} has no build time; run 'strata db update'`;
  const age = now.getTime() - built;
  if (age <= limit) return undefined;
  return `the vulnerability database${meta.path ? ` ${meta.path}` : ''} was built ${describeAge(age)} ago (${meta.builtAt}), more than ${describeAge(limit)}: run 'strata db update' (or 'strata db build') for current findings`;
}
