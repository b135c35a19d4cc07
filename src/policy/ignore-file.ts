/**
 * Ignore files: `.strataignore` in Trivy's `.trivyignore` text form (one id
 * per line, `#` comments, optional `exp:YYYY-MM-DD`), and a YAML form that
 * scopes a rule to packages, purls or paths and records why
 * (`.strataignore.yaml`; Trivy's `.trivyignore.yaml` keys are read too).
 */
import path from 'node:path';
import type * as Yaml from 'yaml';
import { StrataError } from '../core/errors.js';
import { readRegularFile } from '../util/regular-file.js';
import { lazyRequire } from '../util/lazy-require.js';

const yaml = lazyRequire<typeof Yaml>('yaml');

export interface IgnoreRule {
  id: string;
  /** Limits the rule to these package names (any ecosystem). */
  packages?: string[];
  /** Limits the rule to these purls (compared without qualifiers; a purl without version matches every version). */
  purls?: string[];
  /** Limits the rule to packages found under these paths (glob `*` and `**` allowed). */
  paths?: string[];
  /** The rule stops applying after this day (UTC, inclusive). */
  expires?: string;
  reason?: string;
  /** Where the rule was written: `FILE:LINE`. */
  origin: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseIgnoreText(text: string, file: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [id, ...rest] = line.split(/\s+/);
    if (!id) return;
    const rule: IgnoreRule = { id, origin: `${file}:${i + 1}` };
    for (const token of rest) {
      if (token.startsWith('exp:')) {
        const date = token.slice(4);
        if (!DATE.test(date) || Number.isNaN(Date.parse(date))) {
          throw new StrataError('usage', `${file}:${i + 1}: expiry date "${date}" is not YYYY-MM-DD`);
        }
        rule.expires = date;
      } else {
        throw new StrataError('usage', `${file}:${i + 1}: unexpected "${token}" (a line is an id, optionally followed by exp:YYYY-MM-DD)`);
      }
    }
    const comment = /#\s*(.+)$/.exec(raw)?.[1];
    if (comment) rule.reason = comment.trim();
    rules.push(rule);
  });
  return rules;
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  throw new StrataError('usage', `${where}: expected a string or a list of strings`);
}

function dateOf(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  // YAML reads an unquoted 2026-12-31 as a string (core schema), a quoted one too; anything else is not a date.
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
  if (!DATE.test(s.slice(0, 10)) || Number.isNaN(Date.parse(s.slice(0, 10)))) {
    throw new StrataError('usage', `${where}: "${s}" is not a date (YYYY-MM-DD)`);
  }
  return s.slice(0, 10);
}

/**
 * YAML form:
 *   ignore:                       # or Trivy's `vulnerabilities:`
 *     - id: CVE-2023-1234
 *       packages: [openssl]       # optional scope
 *       purls: [pkg:deb/debian/openssl]
 *       paths: ["usr/lib/**"]
 *       expires: 2026-12-31       # or Trivy's expired_at
 *       reason: not reachable     # or Trivy's statement
 */
export function parseIgnoreYaml(text: string, file: string): IgnoreRule[] {
  let doc: unknown;
  try {
    doc = yaml().parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new StrataError('usage', `${file}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new StrataError('usage', `${file}: expected a mapping with an "ignore" list`);
  const top = doc as Record<string, unknown>;
  const list = top.ignore ?? top.vulnerabilities;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new StrataError('usage', `${file}: "ignore" must be a list`);
  return list.map((item, i): IgnoreRule => {
    const where = `${file}: rule ${i + 1}`;
    if (typeof item !== 'object' || item === null) throw new StrataError('usage', `${where}: expected a mapping with an id`);
    const r = item as Record<string, unknown>;
    if (typeof r.id !== 'string' || !r.id) throw new StrataError('usage', `${where}: missing "id"`);
    const rule: IgnoreRule = { id: r.id, origin: `${file} (rule ${i + 1}, ${r.id})` };
    const packages = stringList(r.packages ?? r.package, `${where} packages`);
    const purls = stringList(r.purls ?? r.purl, `${where} purls`);
    const paths = stringList(r.paths ?? r.path, `${where} paths`);
    const expires = dateOf(r.expires ?? r.expired_at, `${where} expires`);
    const reason = r.reason ?? r.statement;
    if (packages) rule.packages = packages;
    if (purls) rule.purls = purls;
    if (paths) rule.paths = paths;
    if (expires) rule.expires = expires;
    if (typeof reason === 'string') rule.reason = reason;
    return rule;
  });
}

/** Reads an ignore file; the format follows the extension (`.yaml`/`.yml` → YAML, else the text form). */
export async function readIgnoreFile(file: string): Promise<IgnoreRule[]> {
  let text: string;
  try {
    text = await readRegularFile(file, { what: 'ignore file' });
  } catch (e) {
    // Not a regular file, unreadable, over the limit: the message says which; a missing file keeps its short form.
    if (!(e instanceof StrataError) || e.code !== 'not-found') throw e;
    throw new StrataError('not-found', `cannot read ignore file ${file}: ENOENT`);
  }
  const ext = path.extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? parseIgnoreYaml(text, file) : parseIgnoreText(text, file);
}

export { DEFAULT_IGNORE_FILES } from './default-files.js';
