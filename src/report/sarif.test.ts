import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../test/support/paths.js';
import { severityFromScore } from './common.js';
import { buildSarif, imagePathUri, renderSarif, securitySeverity } from './sarif.js';
import { alpineScan, debianAppScan, FINDINGS, IMAGE, noDatabaseScan } from './testing/scan-results.js';

const MULTITOOL_DIR = path.join(REPO_ROOT, 'node_modules/@microsoft/sarif-multitool-linux');
const MULTITOOL = path.join(MULTITOOL_DIR, 'Sarif.Multitool');
// The official OASIS schema, as shipped inside Microsoft's validator package.
const SARIF_SCHEMA = JSON.parse(readFileSync(path.join(MULTITOOL_DIR, 'sarif-2.1.0.json'), 'utf8')) as object;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-sarif-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ValidatorIssue {
  ruleId: string;
  level: string;
  message: string;
}

/**
 * Runs Microsoft's SARIF validator with its SARIF rules and its GitHub
 * Advanced Security rules. SARIF2006 (are URIs reachable over HTTP) is
 * disabled: tests make no network calls beyond loopback.
 */
async function multitool(log: string): Promise<ValidatorIssue[]> {
  const input = path.join(tmp, `in-${Math.random().toString(36).slice(2)}.sarif`);
  const output = `${input}.out.sarif`;
  const config = path.join(tmp, 'validator-config.xml');
  writeFileSync(input, log);
  writeFileSync(
    config,
    '<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">\n    <Property Key="RuleEnabled" Value="Disabled" />\n  </Properties>\n</Properties>\n',
  );
  await promisify(execFile)(
    MULTITOOL,
    ['validate', input, '--output', output, '--rule-kind', 'Sarif;Ghas', '--level', 'Error;Warning;Note', '--config', config],
    { env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' }, timeout: 60_000 },
  );
  const out = JSON.parse(readFileSync(output, 'utf8')) as Log;
  return (out.runs[0]?.results ?? []).map((r) => ({ ruleId: r.ruleId ?? '', level: r.level ?? 'warning', message: r.message.text ?? '' }));
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSchema = ajv.compile(SARIF_SCHEMA);

/** GitHub code scanning's documented requirements (docs.github.com, "SARIF support for code scanning"). */
function githubProblems(log: Log): string[] {
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

describe('SARIF report', () => {
  const log = buildSarif([debianAppScan()]);
  const run = log.runs[0]!;

  it('is accepted by Microsoft\'s SARIF validator (SARIF and GitHub rules) without errors', async () => {
    for (const doc of [renderSarif([debianAppScan()]), renderSarif([debianAppScan(), alpineScan()]), renderSarif([noDatabaseScan()])]) {
      const issues = await multitool(doc);
      expect(issues.filter((i) => i.level === 'error')).toEqual([]);
      // The only warning allowed: no informationUri while package.json names no home page.
      expect(issues.filter((i) => i.level === 'warning' && i.ruleId !== 'SARIF2005')).toEqual([]);
    }
  }, 120_000);

  it('the validator run really checks: a log without locations is an error for GitHub', async () => {
    const broken = buildSarif([debianAppScan()]);
    for (const r of broken.runs[0]!.results!) delete r.locations;
    const issues = await multitool(JSON.stringify(broken));
    expect(issues.some((i) => i.level === 'error' && i.ruleId.startsWith('GH'))).toBe(true);
  }, 60_000);

  it('validates against the official SARIF 2.1.0 JSON schema and GitHub\'s documented requirements', () => {
    for (const doc of [log, buildSarif([debianAppScan(), alpineScan()]), buildSarif([noDatabaseScan()])]) {
      const parsed = JSON.parse(JSON.stringify(doc)) as Log;
      expect(validateSchema(parsed), JSON.stringify(validateSchema.errors)).toBe(true);
      expect(githubProblems(parsed)).toEqual([]);
    }
    const bad = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ level: string }> }> };
    bad.runs[0]!.results[0]!.level = 'critical';
    expect(validateSchema(bad)).toBe(false);
  });

  it('has one rule per vulnerability and one result per finding', () => {
    const ids = run.tool.driver.rules!.map((r) => r.id);
    expect(ids).toEqual([...new Set(Object.values(FINDINGS).map((f) => f.id))].sort());
    expect(run.results).toHaveLength(Object.keys(FINDINGS).length);
    const cve5363 = run.results!.filter((r) => r.ruleId === 'CVE-2023-5363');
    expect(cve5363).toHaveLength(2);
    expect(new Set(cve5363.map((r) => r.ruleIndex)).size).toBe(1);
  });

  it('locates each result at the file in the image that lists the package', () => {
    const uriOf = (ruleId: string, pkg: string) =>
      run.results!.find((r) => r.ruleId === ruleId && r.message.text!.startsWith(pkg))?.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
    expect(uriOf('CVE-2023-4911', 'libc6')).toBe('var/lib/dpkg/status');
    expect(uriOf('CVE-2023-45803', 'urllib3')).toBe('usr/local/lib/python3.11/site-packages/urllib3-2.0.6.dist-info/METADATA');
    expect(uriOf('CVE-2023-45288', 'stdlib')).toBe('usr/local/bin/esbuild');
    expect(uriOf('CVE-2021-23337', 'lodash')).toBe('app/package-lock.json');
    expect(imagePathUri('/opt/app dir/x:y.jar')).toBe('opt/app%20dir/x%3Ay.jar');
  });

  it('rules carry what GitHub shows: descriptions, help, link, security severity and level', () => {
    const rule = run.tool.driver.rules!.find((r) => r.id === 'CVE-2023-45853')!;
    expect(rule.shortDescription?.text).toBe('CVE-2023-45853: zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6.');
    expect(rule.helpUri).toBe('https://nvd.nist.gov/vuln/detail/CVE-2023-45853');
    expect(rule.help?.markdown).toContain('| CRITICAL | zlib1g | 1:1.2.13.dfsg-1 |  | will_not_fix |');
    expect(rule.properties?.['security-severity']).toBe('9.8');
    expect(rule.defaultConfiguration?.level).toBe('error');
    expect(rule.properties?.tags).toEqual(['vulnerability', 'security', 'CRITICAL']);
    const ghsa = run.tool.driver.rules!.find((r) => r.id === 'CVE-2023-45803')!;
    expect(ghsa.help?.text).toContain('Vulnerability CVE-2023-45803 (GHSA-g4mx-q9vg-27p4, PYSEC-2023-212)');
    expect(run.results!.find((r) => r.ruleId === 'CVE-2023-45803')?.level).toBe('warning');
    expect(run.results!.find((r) => r.ruleId === 'CVE-2010-4756')?.level).toBe('note');
  });

  it('security-severity agrees with the severity Strata chose, not just the highest score', () => {
    // Debian rates CVE-2010-4756 LOW while NVD scores it 4.0 (MEDIUM): GitHub must show LOW.
    const low = run.tool.driver.rules!.find((r) => r.id === 'CVE-2010-4756')!;
    expect(severityFromScore(Number(low.properties?.['security-severity']))).toBe('LOW');
    expect(securitySeverity('HIGH', [{ source: 'nvd', version: '3.1', vector: 'x', score: 9.8 }])).toBe('8.0');
    expect(securitySeverity('HIGH', [{ source: 'nvd', version: '3.1', vector: 'x', score: 7.5 }])).toBe('7.5');
    expect(securitySeverity('UNKNOWN', [])).toBe('0.0');
  });

  it('results say what, where and why, with stable fingerprints', () => {
    const res = run.results!.find((r) => r.ruleId === 'CVE-2023-5363' && r.message.text!.startsWith('libssl3'))!;
    expect(res.message.text!.split('\n')[0]).toBe('libssl3 3.0.11-1~deb12u1 (source openssl 3.0.11-1~deb12u1) is affected by CVE-2023-5363 (HIGH). Fixed in 3.0.11-1~deb12u2.');
    expect(res.message.text).toContain(`Image: ${IMAGE}@sha256:`);
    expect(res.message.text).toContain('Why: installed 3.0.11-1~deb12u1 < fixed 3.0.11-1~deb12u2 (DSA-5532-1)');
    const fps = run.results!.map((r) => r.partialFingerprints!.primaryLocationLineHash);
    expect(new Set(fps).size).toBe(fps.length);
    // An upgrade that leaves the package vulnerable keeps the alert's identity.
    const upgraded = debianAppScan();
    upgraded.findings = upgraded.findings.map((f) => (f.id === 'CVE-2023-5363' ? { ...f, package: { ...f.package, version: '3.0.11-1~deb12u1+b1' } } : f));
    const again = buildSarif([upgraded]).runs[0]!.results!.find((r) => r.ruleId === 'CVE-2023-5363' && r.message.text!.startsWith('libssl3'))!;
    expect(again.partialFingerprints).toEqual(res.partialFingerprints);
  });

  it('CPE matches get low precision and say so', () => {
    const scan = debianAppScan();
    scan.findings = [{ ...FINDINGS.lodash_23337, explanation: { ...FINDINGS.lodash_23337.explanation, matchedBy: 'cpe' } }];
    const r = buildSarif([scan]).runs[0]!;
    expect(r.tool.driver.rules![0]!.properties?.precision).toBe('low');
    expect(r.results![0]!.message.text).toContain('(matched by CPE)');
  });

  it('several images: one run each with its own category; no findings: an empty, valid run', () => {
    const multi = buildSarif([debianAppScan(), alpineScan()]);
    expect(multi.runs.map((r) => r.automationDetails?.id)).toEqual([`strata/${IMAGE}/`, 'strata/docker.io/library/alpine:3.19/']);
    const empty = buildSarif([noDatabaseScan()]);
    expect(empty.runs[0]!.results).toEqual([]);
    expect(empty.runs[0]!.properties?.warning).toContain('nothing was matched');
  });
});
