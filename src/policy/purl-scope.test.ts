import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/finding.js';
import { applyPolicy, purlKey } from './filter.js';
import { parseIgnoreYaml } from './ignore-file.js';
import { parseVex } from './vex.js';

const babel: Finding = {
  id: 'CVE-2023-45133',
  aliases: ['GHSA-67hx-6x53-jw92'],
  package: { name: '@babel/traverse', version: '7.22.5', ecosystem: 'npm', purl: 'pkg:npm/%40babel/traverse@7.22.5', paths: ['app/package-lock.json'] },
  installedVersion: '7.22.5',
  fixedVersion: '7.23.2',
  status: 'fixed',
  severity: 'CRITICAL',
  severitySource: 'ghsa',
  cvss: [],
  explanation: { matchedBy: 'package', lookupName: '@babel/traverse', comparedVersion: '7.22.5', scheme: 'semver', advisories: [], rule: '' },
};

describe('purl scopes with an npm scope written as users write it', () => {
  it('the @ of a scope is not a version', () => {
    expect(purlKey('pkg:npm/@babel/traverse', false)).toBe('pkg:npm/@babel/traverse');
    expect(purlKey('pkg:npm/%40babel/traverse@7.22.5?foo=bar', false)).toBe('pkg:npm/@babel/traverse');
  });

  it('an ignore rule and a VEX statement naming pkg:npm/@babel/traverse (any version) apply', () => {
    const rules = parseIgnoreYaml('ignore:\n  - id: CVE-2023-45133\n    purls: ["pkg:npm/@babel/traverse"]\n', 'x.yaml');
    expect(applyPolicy([babel], { ignoreRules: rules }).suppressed).toHaveLength(1);
    const vex = parseVex(
      JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'GHSA-67hx-6x53-jw92' }, products: [{ '@id': 'pkg:npm/@babel/traverse@7.22.5' }], status: 'not_affected', justification: 'inline_mitigations_already_exist' }] }),
      'v.json',
    );
    expect(applyPolicy([babel], { vex }).suppressed[0]).toMatchObject({ by: 'vex', vex: { status: 'not_affected' } });
    const other = parseVex(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2023-45133' }, products: [{ '@id': 'pkg:npm/@babel/traverse@7.23.2' }], status: 'fixed' }] }), 'v.json');
    expect(applyPolicy([babel], { vex: other }).findings).toHaveLength(1);
  });
});

describe('VEX statements about an image build', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const statement = (product: string) =>
    parseVex(JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2023-45133' }, products: [{ '@id': product }], status: 'not_affected', justification: 'component_not_present' }] }), 'v.json');

  it('apply to the build whose manifest or config digest they name, not to another', () => {
    expect(applyPolicy([babel], { vex: statement(`pkg:oci/app@${digest}`), target: { digest } }).suppressed).toHaveLength(1);
    expect(applyPolicy([babel], { vex: statement(digest), target: { configDigest: digest } }).suppressed).toHaveLength(1);
    expect(applyPolicy([babel], { vex: statement(`pkg:oci/app@${digest}`), target: { digest: `sha256:${'b'.repeat(64)}` } }).suppressed).toHaveLength(0);
    // A root filesystem has no digest: a statement pinned to a build cannot be about it.
    expect(applyPolicy([babel], { vex: statement(`pkg:oci/app@${digest}`), target: {} }).suppressed).toHaveLength(0);
  });

  it('without a digest (pkg:oci/app) they apply to whatever image is scanned with them', () => {
    expect(applyPolicy([babel], { vex: statement('pkg:oci/app?repository_url=ghcr.io/org/app'), target: { digest } }).suppressed).toHaveLength(1);
  });
});
