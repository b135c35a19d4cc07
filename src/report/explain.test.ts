import { describe, expect, it } from 'vitest';
import { explainVulnerability, renderExplanation } from './explain.js';
import { debianAppScan, IMAGE } from './testing/scan-results.js';

describe('explain', () => {
  it('finds a vulnerability by an alias, in any case', () => {
    const explained = explainVulnerability('ghsa-g4mx-q9vg-27p4', debianAppScan());
    expect(explained.findings.map((f) => f.id)).toEqual(['CVE-2023-45803']);
    expect(explained.suppressed).toEqual([]);
    const text = renderExplanation(explained, 'text');
    expect(text).toMatch(/^CVE-2023-45803 \(also GHSA-g4mx-q9vg-27p4, PYSEC-2023-212\) in /);
    expect(text).toContain('  records:        GHSA-g4mx-q9vg-27p4 (osv-pypi, PyPI)');
  });

  it('shows a suppressed finding with who suppressed it and why', () => {
    const text = renderExplanation(explainVulnerability('CVE-2023-5678', debianAppScan()), 'text');
    expect(text).toContain('— suppressed (vex): not_affected: vulnerable_code_not_in_execute_path [vex/openvex.json#CVE-2023-5678]');
  });

  it('says when nothing matched, and the JSON names the image', () => {
    const explained = explainVulnerability('CVE-1999-0001', debianAppScan());
    expect(renderExplanation(explained, 'text')).toMatch(/^CVE-1999-0001 is not reported for .*: no installed package matched/);
    expect(JSON.parse(renderExplanation(explained, 'json'))).toEqual({ id: 'CVE-1999-0001', image: IMAGE, findings: [], suppressed: [] });
  });
});
