/**
 * Filter flags, the ignore file and VEX documents → a Policy. Separate from
 * scan-options.ts because reading ignore files and VEX needs the YAML parser,
 * which only a scan should load.
 */
import { existsSync } from 'node:fs';
import type { SeverityLevel, VulnStatus } from '../core/advisory.js';
import { SEVERITY_LEVELS, VULN_STATUSES } from '../core/advisory.js';
import { StrataError } from '../core/errors.js';
import { DEFAULT_IGNORE_FILES } from '../policy/default-files.js';
import type { Policy } from '../policy/filter.js';
import { type IgnoreRule, readIgnoreFile } from '../policy/ignore-file.js';
import { readVexFile, type VexStatement } from '../policy/vex.js';
import type { ScanFlags } from './scan-options.js';

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
