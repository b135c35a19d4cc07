/**
 * The options every scanning command shares (`image`, `rootfs`, `sbom-scan`,
 * `explain`) and the registry/target options of `image`, `sbom` and
 * `explain`: their types and how they are declared, each once (run-options.ts
 * turns them into library options). The flags are a public contract:
 * README.md documents each one.
 */
import { Option } from '@commander-js/extra-typings';
import type { Command as UntypedCommand } from 'commander';
import { SEVERITY_LEVELS, VULN_STATUSES } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import { DEFAULT_IGNORE_FILES } from '../policy/default-files.js';

/** Parsed values of the shared options (commander's camelCase names). */
export interface ScanFlags {
  format?: string;
  output?: string;
  outputDir?: string;
  db?: string;
  skipDbUpdate?: boolean;
  offline?: boolean;
  dbRepository?: string;
  maxDbAge?: string;
  cacheDir?: string;
  cache: boolean;
  parallel?: number;
  quiet?: boolean;
  debug?: boolean;
  color?: boolean;
  exitCode?: number;
  severity?: string;
  ignoreUnfixed?: boolean;
  ignoreStatus?: string;
  ignorefile?: string;
  vex?: string[];
  cpeMatch?: boolean;
  includeInformational?: boolean;
  keepOsOwned?: boolean;
  webhook?: string;
  webhookSecret?: string;
  githubSha?: string;
  githubRef?: string;
  timeout?: string;
  allowIncomplete?: boolean;
  stallTimeout?: string;
}

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new StrataError('usage', `${name} must be a positive integer, got "${v}"`);
    return n;
  };
}

function exitCodeArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 125) throw new StrataError('usage', `--exit-code must be an integer from 0 to 125, got "${v}"`);
  if (n === 2) throw new StrataError('usage', '--exit-code 2 is reserved for errors (so a failed scan is never mistaken for findings); choose another code, e.g. 1');
  return n;
}

/** Commander's argument parser for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Declares the shared options on a command. The command keeps its own
 * inferred argument types; the shared options are read back as ScanFlags.
 */
export function addScanOptions<C>(command: C): C {
  const cmd = command as unknown as UntypedCommand; // the typed Command's generics cannot express "plus these options"
  cmd
    .option('-f, --format <formats>', 'report format(s), comma-separated: table, json, sarif, cyclonedx, spdx-json, github (default: table on a terminal, json otherwise)')
    .option('-o, --output <file>', 'write the report to FILE instead of stdout')
    .option('--output-dir <dir>', 'write one file per format (and per image) into DIR')
    .option('--db <file>', 'vulnerability database file (env STRATA_DB; default: $XDG_CACHE_HOME/strata/db/strata.db)')
    .option('--skip-db-update', 'do not update the database before scanning')
    .option('--offline', 'no network access for the database (implies --skip-db-update)')
    .option('--db-repository <ref>', 'OCI repository to update the database from (env STRATA_DB_REPOSITORY)')
    .option('--max-db-age <age>', 'warn when the database is older than this (e.g. 36h, 7d)', '7d')
    .option('--cache-dir <dir>', 'layer analysis cache directory (default: $XDG_CACHE_HOME/strata)')
    .option('--no-cache', 'neither read nor write the layer cache')
    .option('--timeout <duration>', 'give up on an image that has not finished in this time (e.g. 90s, 15m)', '5m')
    .option('--stall-timeout <duration>', 'retry a registry transfer after this long without a byte (e.g. 10s)', '30s')
    .option('--parallel <n>', 'layers fetched and decompressed at once (default: CPU count, at least 2)', positiveInt('--parallel'))
    .option('-q, --quiet', 'no progress display and no informational messages')
    .option('--debug', 'log what Strata does (and stack traces of internal errors)')
    .option('--no-color', 'no colours in the table (also: NO_COLOR)')
    .option('--allow-incomplete', 'let --exit-code pass a scan whose package list is incomplete (a package database or lockfile could not be read)')
    .option('--exit-code <n>', 'exit with N when findings remain after filters (errors always exit 2)', exitCodeArg)
    .option('-s, --severity <levels>', `only report these severities: ${SEVERITY_LEVELS.join(',')}`)
    .option('--ignore-unfixed', 'leave out findings that have no fixed version')
    .option('--ignore-status <statuses>', `leave out findings with these statuses: ${VULN_STATUSES.join(',')}`)
    .option('--ignorefile <file>', `ignore rules (default: the first of ${DEFAULT_IGNORE_FILES.join(', ')} in the current directory)`)
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document; not_affected/fixed statements suppress findings (repeatable)', collect)
    .option('--cpe-match', 'also match packages no ecosystem feed covers against NVD CPE configurations (off: false positives)')
    .option('--include-informational', 'include informational advisories (crates.io unmaintained/unsound notices)')
    .option('--keep-os-owned', 'also report (and match) language packages whose files belong to an OS package')
    .option('--webhook <url>', 'POST a JSON summary of each scan to URL')
    .option('--webhook-secret <secret>', 'sign webhook bodies with HMAC-SHA256 (env STRATA_WEBHOOK_SECRET)')
    .addOption(new Option('--github-sha <sha>', 'commit for the github format (env GITHUB_SHA)').hideHelp())
    .addOption(new Option('--github-ref <ref>', 'ref for the github format (env GITHUB_REF)').hideHelp());
  return command;
}

/**
 * A webhook URL that can never work is a mistake in the pipeline's
 * configuration: say so before scanning (exit 2) rather than warn after it.
 * A receiver that fails at run time stays a warning (src/notify/webhook.ts).
 */
export function checkWebhookFlag(flags: Pick<ScanFlags, 'webhook'>): void {
  if (flags.webhook === undefined) return;
  let url: URL;
  try {
    url = new URL(flags.webhook);
  } catch {
    throw new StrataError('usage', '--webhook must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StrataError('usage', `--webhook must be an http:// or https:// URL, not ${url.protocol}`);
}

/** How to reach a registry: `--platform`, `--username`/`--password`, `--insecure`. */
export interface RegistryFlags {
  platform?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
}

/** How `sbom` and `explain` name what to read: an image, or with `--rootfs` a directory. */
export interface TargetFlags extends RegistryFlags {
  rootfs?: boolean;
}

/** Flags of `strata image` beyond the shared ones. */
export interface ImageFlags extends ScanFlags, RegistryFlags {
  input?: string[];
  sbom?: string;
}

/** Flags of `strata sbom`. */
export interface SbomFlags extends TargetFlags {
  format: string;
  timeout?: string;
  stallTimeout?: string;
  output?: string;
  cacheDir?: string;
  cache?: boolean;
  keepOsOwned?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

/** Flags of `strata explain`. */
export type ExplainFlags = ScanFlags & TargetFlags;

/**
 * Declares the registry options (and with `rootfs`, `--rootfs`) on a command:
 * `image`, `sbom` and `explain` read images the same way.
 */
export function addTargetOptions<C>(command: C, opts: { rootfs?: boolean } = {}): C {
  const cmd = command as unknown as UntypedCommand; // as in addScanOptions
  if (opts.rootfs) cmd.option('--rootfs', 'REF is a root filesystem directory');
  cmd
    .option('--platform <os/arch[/variant]>', "platform to pick from a multi-platform image (default: this machine's)")
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries (loopback is always allowed)');
  return command;
}

/** Registry credentials from --username/--password, else STRATA_USERNAME/STRATA_PASSWORD (both or neither). */
export function credentialsFrom(flags: { username?: string; password?: string }): { username: string; password: string; source: string } | undefined {
  const username = flags.username ?? process.env.STRATA_USERNAME;
  const password = flags.password ?? process.env.STRATA_PASSWORD;
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) throw new StrataError('usage', 'give both a username and a password (--username/--password or STRATA_USERNAME/STRATA_PASSWORD)');
  return { username, password, source: flags.username !== undefined ? '--username/--password' : 'STRATA_USERNAME/STRATA_PASSWORD' };
}
