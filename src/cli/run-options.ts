/**
 * Flags → the options every scanning command builds the same way (`image`,
 * `rootfs`, `sbom-scan`, `sbom`, `explain`). Loaded with the commands'
 * implementations (scan-run.ts, sbom-run.ts), not at start-up: it pulls in
 * the layer cache and the image openers.
 */
import type { Logger } from '../core/log.js';
import { LayerCache, defaultCacheDir } from '../cache/layer-cache.js';
import type { OpenImageOptions } from '../image/open.js';
import type { MatchOptions } from '../match/matcher.js';
import type { DatabaseOptions } from '../vulndb/lifecycle.js';
import { parseDuration } from '../vulndb/paths.js';
import type { ScanResult } from '../core/result.js';
import { assertCompleteForGate } from '../scan/completeness.js';
import { DEFAULT_IMAGE_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS } from '../scan/deadline.js';
import { ExitCode } from './exit.js';
import { credentialsFrom } from './scan-options.js';

/** The layer cache `--cache-dir` names (default: XDG), or none with `--no-cache`. */
export function layerCacheFrom(flags: { cache?: boolean; cacheDir?: string }): LayerCache | null {
  return flags.cache === false ? null : new LayerCache(flags.cacheDir ?? defaultCacheDir());
}

export function matchOptionsFrom(flags: { cpeMatch?: boolean; includeInformational?: boolean }): MatchOptions {
  return { ...(flags.cpeMatch ? { cpeMatch: true } : {}), ...(flags.includeInformational ? { includeInformational: true } : {}) };
}

/** `--timeout`: the deadline of each image's scan (scan/deadline.ts). */
export function imageTimeoutMs(flags: { timeout?: string }): number {
  return flags.timeout !== undefined ? parseDuration(flags.timeout) : DEFAULT_IMAGE_TIMEOUT_MS;
}

/** How to reach a registry: platform, credentials, --insecure. */
export function imageOpenOptions(
  flags: { platform?: string; insecure?: boolean; username?: string; password?: string; stallTimeout?: string },
  logger: Logger,
): OpenImageOptions {
  const credentials = credentialsFrom(flags);
  const stallTimeoutMs = flags.stallTimeout !== undefined ? parseDuration(flags.stallTimeout) : DEFAULT_STALL_TIMEOUT_MS;
  return {
    logger,
    clientOptions: { stallTimeoutMs, requestTimeoutMs: stallTimeoutMs },
    ...(flags.platform ? { platform: flags.platform } : {}),
    ...(credentials ? { credentials } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
  };
}

/** The database flags every scanning command takes, as the database lifecycle's options. */
export interface DatabaseFlags {
  db?: string;
  skipDbUpdate?: boolean;
  offline?: boolean;
  dbRepository?: string;
  maxDbAge?: string;
  exitCode?: number;
  insecure?: boolean;
}

/** `--db`, `--skip-db-update`/`--offline`, `--db-repository`, `--max-db-age`; `--exit-code` needs a database to gate on. */
export function databaseOptionsFrom(flags: DatabaseFlags): DatabaseOptions {
  return {
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    update: !flags.skipDbUpdate && !flags.offline,
    ...(flags.dbRepository !== undefined ? { repository: flags.dbRepository } : {}),
    maxAge: flags.maxDbAge ?? '7d',
    ...(flags.insecure ? { insecure: true } : {}),
    ...(flags.exitCode !== undefined ? { required: '--exit-code needs a database to gate on' } : {}),
  };
}

/** The CI gate: `--exit-code N` (N ≠ 0) when findings remain after the filters. */
export function exitOnFindings(flags: { exitCode?: number; allowIncomplete?: boolean }, findings: number, results: readonly ScanResult[] = []): void {
  if (flags.exitCode !== undefined && flags.exitCode !== 0 && !flags.allowIncomplete) assertCompleteForGate(results);
  if (flags.exitCode !== undefined && flags.exitCode !== 0 && findings > 0) throw new ExitCode(flags.exitCode);
}
