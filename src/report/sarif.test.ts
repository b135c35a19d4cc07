import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { severityFromScore } from './common.js';
import { buildSarif, imagePathUri, renderSarif, securitySeverity } from './sarif.js';
import { alpineScan, debianAppScan, FINDINGS, IMAGE, noDatabaseScan } from './testing/scan-results.js';
import { githubSarifProblems as githubProblems, sarifMultitool as multitool, sarifSchemaValidator as validateSchema } from './testing/validators.js';

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
    // A package an SBOM named without a path: the SBOM file itself.
    const sbom = debianAppScan();
    sbom.artifact = { name: 'web', type: 'sbom', source: 'sboms/web.cdx.json' };
    sbom.findings = [{ ...FINDINGS.lodash_23337, package: { ...FINDINGS.lodash_23337.package, paths: [] } }];
    expect(buildSarif([sbom]).runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe('sboms/web.cdx.json');
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

  it('names OS and language vulnerabilities apart, rolling distributions included', () => {
    const names = Object.fromEntries(run.tool.driver.rules!.map((r) => [r.id, r.name]));
    expect(names['CVE-2023-4911']).toBe('OsPackageVulnerability');
    expect(names['CVE-2023-45288']).toBe('LanguagePackageVulnerability');
    const wolfi = alpineScan();
    wolfi.findings = wolfi.findings.map((f) => ({ ...f, package: { ...f.package, ecosystem: 'Wolfi', purl: 'pkg:apk/wolfi/busybox@1.36.1-r15' } }));
    wolfi.packages = [];
    expect(buildSarif([wolfi]).runs[0]!.tool.driver.rules![0]!.name).toBe('OsPackageVulnerability');
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
