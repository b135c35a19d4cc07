import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { applyPolicy, globMatches } from './filter.js';
import { parseIgnoreText, parseIgnoreYaml } from './ignore-file.js';
import { parseVex } from './vex.js';

function finding(over: Partial<Finding> & Pick<Finding, 'id'>): Finding {
  return {
    aliases: [],
    package: {
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      ecosystem: 'Debian:12',
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
      source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
      paths: ['var/lib/dpkg/status'],
    },
    installedVersion: '3.0.11-1~deb12u2',
    status: 'fixed',
    fixedVersion: '3.0.13-1~deb12u1',
    severity: 'HIGH',
    severitySource: 'debian',
    cvss: [],
    explanation: { matchedBy: 'source-package', lookupName: 'openssl', comparedVersion: '3.0.11-1~deb12u2', scheme: 'dpkg', advisories: [], rule: '' },
    ...over,
  };
}

const fixedHigh = finding({ id: 'CVE-2023-5678', aliases: ['DSA-5532-1'] });
const unfixedLow = finding({ id: 'CVE-2024-2511', status: 'affected', fixedVersion: undefined, severity: 'LOW' });
const noDsa = finding({ id: 'CVE-2024-4741', status: 'will_not_fix', fixedVersion: undefined, severity: 'MEDIUM' });
const pypi = finding({
  id: 'CVE-2020-14343',
  aliases: ['GHSA-8q59-q68h-6hv4', 'PYSEC-2021-142'],
  severity: 'CRITICAL',
  package: { name: 'PyYAML', version: '5.3.1', ecosystem: 'PyPI', purl: 'pkg:pypi/pyyaml@5.3.1', paths: ['opt/venv/lib/python3.11/site-packages/PyYAML-5.3.1.dist-info/METADATA'] },
});
const all = [fixedHigh, unfixedLow, noDsa, pypi];

describe('applyPolicy', () => {
  it('filters by severity, status and --ignore-unfixed, saying why', () => {
    const out = applyPolicy(all, { severities: ['HIGH', 'CRITICAL'] });
    expect(out.findings.map((f) => f.id)).toEqual(['CVE-2023-5678', 'CVE-2020-14343']);
    expect(out.suppressed.map((s) => s.by)).toEqual(['severity', 'severity']);
    expect(applyPolicy(all, { ignoreUnfixed: true }).findings.map((f) => f.id)).toEqual(['CVE-2023-5678', 'CVE-2020-14343']);
    expect(applyPolicy(all, { ignoreStatuses: ['will_not_fix'] }).findings.map((f) => f.id)).not.toContain('CVE-2024-4741');
  });

  it('applies .trivyignore rules by id or alias until they expire', () => {
    const rules = parseIgnoreText('# accepted risk\nDSA-5532-1\nCVE-2020-14343 exp:2026-01-31\n', '.trivyignore');
    const before = applyPolicy(all, { ignoreRules: rules, now: new Date('2026-01-31T12:00:00Z') });
    expect(before.findings.map((f) => f.id)).toEqual(['CVE-2024-2511', 'CVE-2024-4741']);
    expect(before.suppressed[0]).toMatchObject({ by: 'ignore-file', statement: '.trivyignore:2' });
    const after = applyPolicy(all, { ignoreRules: rules, now: new Date('2026-02-01T00:00:00Z') });
    expect(after.findings.map((f) => f.id)).toContain('CVE-2020-14343');
  });

  it('scopes YAML rules to packages, purls and paths', () => {
    const rules = parseIgnoreYaml(
      [
        'ignore:',
        '  - id: CVE-2020-14343',
        '    paths: ["opt/venv/**"]',
        '    reason: venv is build-only',
        '  - id: CVE-2023-5678',
        '    purls: [pkg:deb/debian/curl]',
        '  - id: CVE-2024-2511',
        '    packages: [libssl3]',
        '    expires: 2099-01-01',
      ].join('\n'),
      '.strataignore.yaml',
    );
    const out = applyPolicy(all, { ignoreRules: rules, now: new Date('2026-11-26') });
    expect(out.findings.map((f) => f.id)).toEqual(['CVE-2023-5678', 'CVE-2024-4741']);
    expect(out.suppressed.find((s) => s.finding.id === 'CVE-2020-14343')?.reason).toBe('venv is build-only');
  });

  it('suppresses by OpenVEX not_affected/fixed statements and names the statement', () => {
    const vex = parseVex(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/1',
        statements: [
          { vulnerability: { name: 'CVE-2020-14343' }, products: [{ '@id': 'pkg:pypi/pyyaml@5.3.1' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
          { vulnerability: { name: 'CVE-2023-5678' }, products: [{ '@id': 'pkg:oci/app@sha256:abc', subcomponents: [{ '@id': 'pkg:deb/debian/libssl3' }] }], status: 'fixed' },
          { vulnerability: { name: 'CVE-2024-2511' }, products: [{ '@id': 'pkg:deb/debian/libssl3' }], status: 'affected' },
        ],
      }),
      'app.openvex.json',
    );
    const out = applyPolicy(all, { vex });
    expect(out.findings.map((f) => f.id)).toEqual(['CVE-2024-2511', 'CVE-2024-4741']);
    expect(out.suppressed[0]).toMatchObject({ by: 'vex', statement: 'app.openvex.json: statement 2 (CVE-2023-5678)', vex: { status: 'fixed' } });
    expect(out.suppressed[1]?.reason).toContain('vulnerable_code_not_in_execute_path');
  });

  it('reads CycloneDX VEX with bom-ref affects', () => {
    const vex = parseVex(
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ 'bom-ref': 'py-1', type: 'library', name: 'PyYAML', purl: 'pkg:pypi/pyyaml@5.3.1' }],
        vulnerabilities: [{ id: 'GHSA-8q59-q68h-6hv4', analysis: { state: 'false_positive' }, affects: [{ ref: 'py-1' }] }],
      }),
      'bom.vex.json',
    );
    const out = applyPolicy(all, { vex });
    expect(out.suppressed.map((s) => s.finding.id)).toEqual(['CVE-2020-14343']);
  });

  it('rejects malformed files with the file and line', () => {
    expect(() => parseIgnoreText('CVE-1 exp:31-12-2026', '.trivyignore')).toThrow('.trivyignore:1');
    expect(() => parseIgnoreYaml('ignore:\n  - packages: [a]', 'x.yaml')).toThrow('x.yaml: rule 1: missing "id"');
    expect(() => parseVex('{"statements": [{"vulnerability": "CVE-1", "status": "maybe"}]}', 'v.json')).toThrow('v.json: statement 1');
  });
});

describe('globMatches', () => {
  it('treats * as one path segment and ** as any depth', () => {
    expect(globMatches('usr/lib/*/METADATA', 'usr/lib/x/METADATA')).toBe(true);
    expect(globMatches('usr/lib/*/METADATA', 'usr/lib/x/y/METADATA')).toBe(false);
    expect(globMatches('/usr/**', 'usr/lib/x/y/METADATA')).toBe(true);
  });
});
