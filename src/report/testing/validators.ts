/**
 * The official (or specification-derived) validators every report format is
 * checked against, shared by the unit tests beside the writers and the
 * end-to-end tests on the real Debian test image.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import parseSpdx from 'spdx-expression-parse';
import type { SpdxDocument } from '../spdx.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(here, '../../..');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

function ajv(): Ajv2020 {
  const a = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats.default(a);
  return a;
}

/** Errors as one readable string for assertion messages. */
export function errorsOf(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors ?? [], null, 1);
}

// --- JSON report -----------------------------------------------------------

export const REPORT_SCHEMA = readJson(path.join(REPO_ROOT, 'docs/report.schema.json'));

/**
 * docs/report.schema.json as published (unknown keys allowed: additive changes
 * keep the version), or closed (every object rejects undocumented keys), which
 * keeps the writer and the documentation in step.
 */
export function jsonReportValidator(closed: boolean): ValidateFunction {
  const copy = structuredClone(REPORT_SCHEMA);
  if (closed) {
    const close = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(close);
      if (!node || typeof node !== 'object') return;
      const obj = node as Record<string, unknown>;
      if (obj.properties && obj.additionalProperties === undefined) obj.additionalProperties = false;
      Object.values(obj).forEach(close);
    };
    close(copy);
  }
  return ajv().compile(copy);
}

// --- SARIF -------------------------------------------------------------------

const MULTITOOL_DIR = path.join(REPO_ROOT, 'node_modules/@microsoft/sarif-multitool-linux');

/** The OASIS SARIF 2.1.0 schema as shipped inside Microsoft's validator package. */
export const sarifSchemaValidator: ValidateFunction = (() => {
  const a = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(a);
  return a.compile(readJson(path.join(MULTITOOL_DIR, 'sarif-2.1.0.json')));
})();

export interface ValidatorIssue {
  ruleId: string;
  level: string;
  message: string;
}

let multitoolDir: string | undefined;

/**
 * Microsoft's SARIF validator with its SARIF rules and its GitHub Advanced
 * Security rules. SARIF2006 (are URIs reachable over HTTP) is disabled:
 * tests make no network calls beyond loopback.
 */
export async function sarifMultitool(log: string): Promise<ValidatorIssue[]> {
  multitoolDir ??= mkdtempSync(path.join(os.tmpdir(), 'strata-sarif-'));
  const input = path.join(multitoolDir, `in-${process.pid}-${Math.random().toString(36).slice(2)}.sarif`);
  const output = `${input}.out.sarif`;
  const config = path.join(multitoolDir, 'validator-config.xml');
  writeFileSync(input, log);
  writeFileSync(
    config,
    '<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">\n    <Property Key="RuleEnabled" Value="Disabled" />\n  </Properties>\n</Properties>\n',
  );
  await promisify(execFile)(
    path.join(MULTITOOL_DIR, 'Sarif.Multitool'),
    ['validate', input, '--output', output, '--rule-kind', 'Sarif;Ghas', '--level', 'Error;Warning;Note', '--config', config],
    { env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
  );
  const out = JSON.parse(readFileSync(output, 'utf8')) as Log;
  return (out.runs[0]?.results ?? []).map((r) => ({ ruleId: r.ruleId ?? '', level: r.level ?? 'warning', message: r.message.text ?? '' }));
}

/** GitHub code scanning's documented requirements (docs.github.com, "SARIF support for code scanning"). */
export function githubSarifProblems(log: Log): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  need(log.$schema, '$schema is required');
  need(log.version === '2.1.0', 'version must be 2.1.0');
  need(log.runs.length >= 1 && log.runs.length <= 20, 'between 1 and 20 runs');
  const categories = new Set<string | undefined>();
  for (const run of log.runs) {
    const driver = run.tool.driver;
    need(driver.name, 'tool.driver.name is required');
    need(Array.isArray(driver.rules), 'tool.driver.rules is required');
    need(!categories.has(run.automationDetails?.id), 'runs of one tool need distinct categories');
    categories.add(run.automationDetails?.id);
    const rules: ReportingDescriptor[] = driver.rules ?? [];
    need(rules.length <= 25_000, 'at most 25,000 rules per run');
    for (const r of rules) {
      need(r.id, 'rule id');
      need(!r.name || r.name.length <= 255, `rule ${r.id}: name up to 255 characters`);
      for (const d of [r.shortDescription?.text, r.fullDescription?.text]) need(d && d.length <= 1024, `rule ${r.id}: descriptions required, up to 1024 characters`);
      need(r.help?.text, `rule ${r.id}: help.text is required`);
      const props = r.properties ?? {};
      const tags = props.tags ?? [];
      need(tags.length <= 20, `rule ${r.id}: at most 20 tags`);
      need(['very-high', 'high', 'medium', 'low'].includes(String(props.precision)), `rule ${r.id}: precision`);
      const ss: unknown = props['security-severity'];
      need(typeof ss === 'string' && /^\d+(\.\d+)?$/.test(ss) && Number(ss) <= 10, `rule ${r.id}: security-severity is a score string`);
      need(tags.includes('security'), `rule ${r.id}: security-severity applies to rules tagged security`);
      need(['note', 'warning', 'error'].includes(String(r.defaultConfiguration?.level)), `rule ${r.id}: defaultConfiguration.level`);
    }
    const results: Result[] = run.results ?? [];
    need(results.length <= 25_000, 'at most 25,000 results per run');
    for (const res of results) {
      need(res.message.text, 'result message.text is required');
      need(res.ruleId && rules[res.ruleIndex ?? -1]?.id === res.ruleId, `result ${res.ruleId}: ruleIndex points at its rule`);
      need(res.locations && res.locations.length >= 1 && res.locations.length <= 10, `result ${res.ruleId}: 1 to 10 locations`);
      const loc = res.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri ?? '';
      need(uri && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/'), `result ${res.ruleId}: relative artifactLocation.uri (${uri})`);
      const region = loc?.region;
      need(region && region.startLine && region.startColumn && region.endLine && region.endColumn, `result ${res.ruleId}: region with start/end line and column`);
      need(res.partialFingerprints?.primaryLocationLineHash, `result ${res.ruleId}: partialFingerprints.primaryLocationLineHash`);
    }
  }
  return problems;
}

// --- CycloneDX ---------------------------------------------------------------

/** The CycloneDX library's strict JSON validator: the official 1.6 schemas it ships. */
export const cycloneDxValidator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

// --- SPDX ----------------------------------------------------------------------

export const spdxValidator: ValidateFunction = ajv().compile(readJson(path.join(here, '../schemas/spdx-2.3.schema.json')));

/** Rules of the specification a JSON schema cannot express: ids unique, references resolve, licences defined. */
export function spdxSemanticProblems(doc: SpdxDocument): string[] {
  const problems: string[] = [];
  const ids = doc.packages.map((p) => p.SPDXID);
  if (new Set(ids).size !== ids.length) problems.push('SPDXIDs are not unique');
  const known = new Set(['SPDXRef-DOCUMENT', ...ids]);
  for (const r of doc.relationships) {
    if (!known.has(r.spdxElementId)) problems.push(`relationship from unknown ${r.spdxElementId}`);
    if (!known.has(r.relatedSpdxElement) && !['NONE', 'NOASSERTION'].includes(r.relatedSpdxElement)) problems.push(`relationship to unknown ${r.relatedSpdxElement}`);
  }
  // 11.1: DESCRIBES is mandatory when the document holds more than one package.
  if (doc.packages.length > 1 && !doc.relationships.some((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES')) {
    problems.push('no DESCRIBES relationship');
  }
  const defined = new Set((doc.hasExtractedLicensingInfos ?? []).map((l) => l.licenseId));
  for (const p of doc.packages) {
    for (const field of [p.licenseDeclared, p.licenseConcluded]) {
      if (!field || field === 'NONE' || field === 'NOASSERTION') continue;
      try {
        parseSpdx(field);
      } catch {
        problems.push(`${p.SPDXID}: not an SPDX licence expression: ${field}`);
      }
      for (const ref of field.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) if (!defined.has(ref)) problems.push(`${ref} is not defined`);
    }
  }
  return problems;
}

// --- GitHub dependency snapshot ------------------------------------------------

export const githubSnapshotValidator: ValidateFunction = ajv().compile(readJson(path.join(here, '../schemas/github-snapshot.schema.json')));
