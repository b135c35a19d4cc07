/**
 * The options every scanning command shares (`image`, `rootfs`, `sbom-scan`,
 * `explain`), how they are declared, and how they become library options.
 * The flags are a public contract: README.md documents each one.
 */
import { Option } from '@commander-js/extra-typings';
import type { Command as UntypedCommand } from 'commander';
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { SeverityLevel, VulnStatus } from '../core/advisory.js';
import { SEVERITY_LEVELS, VULN_STATUSES } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import { DEFAULT_IGNORE_FILES, type IgnoreRule, readIgnoreFile } from '../policy/ignore-file.js';
import type { Policy } from '../policy/filter.js';
import { readVexFile, type VexStatement } from '../policy/vex.js';

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

function collect(value: string, previous: string[] | undefined): string[] {
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
    .option('--parallel <n>', 'layers fetched and decompressed at once (default: CPU count, at least 2)', positiveInt('--parallel'))
    .option('-q, --quiet', 'no progress display and no informational messages')
    .option('--debug', 'log what Strata does (and stack traces of internal errors)')
    .option('--no-color', 'no colours in the table (also: NO_COLOR)')
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

export function defaultParallel(): number {
  return Math.max(2, os.availableParallelism());
}

function parseList<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, upper: boolean): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (upper ? s.toUpperCase() : s.toLowerCase()));
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length || items.length === 0) {
    throw new StrataError('usage', `${flag}: unknown value ${bad.map((b) => `"${b}"`).join(', ') || '""'}; choose from ${allowed.join(', ')}`);
  }
  return items as T[];
}

/** Turns filter flags, the ignore file and VEX documents into a Policy. */
export async function policyFromFlags(flags: ScanFlags, cwd = process.cwd()): Promise<Policy> {
  const severities = parseList<SeverityLevel>(flags.severity, SEVERITY_LEVELS, '--severity', true);
  const ignoreStatuses = parseList<VulnStatus>(flags.ignoreStatus, VULN_STATUSES, '--ignore-status', false);
  let ignoreRules: IgnoreRule[] = [];
  if (flags.ignorefile) {
    ignoreRules = await readIgnoreFile(flags.ignorefile);
  } else {
    const found = DEFAULT_IGNORE_FILES.map((f) => `${cwd}/${f}`).find((f) => existsSync(f));
    if (found) ignoreRules = await readIgnoreFile(found);
  }
  const vex: VexStatement[] = [];
  for (const file of flags.vex ?? []) vex.push(...(await readVexFile(file)));
  return {
    ...(severities ? { severities } : {}),
    ...(ignoreStatuses ? { ignoreStatuses } : {}),
    ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
    ...(ignoreRules.length ? { ignoreRules } : {}),
    ...(vex.length ? { vex } : {}),
  };
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
