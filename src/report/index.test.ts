import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { parseReportFormats, REPORT_FILE_NAMES, REPORT_FORMATS, renderReport } from './index.js';
import { debianAppScan } from './testing/scan-results.js';

describe('renderReport', () => {
  const opts = { sha: 'ddc951f4b1293222421f2c8df679786153acf689', ref: 'refs/heads/main', now: new Date('2026-11-26T10:00:00Z') };

  it('renders every format, each recognisable by its own header', async () => {
    const out = Object.fromEntries(await Promise.all(REPORT_FORMATS.map(async (f) => [f, await renderReport(f, [debianAppScan()], opts)] as const)));
    expect(out.table).toContain('Report Summary');
    expect(JSON.parse(out.json!)).toMatchObject({ schemaVersion: 1 });
    expect(JSON.parse(out.sarif!)).toMatchObject({ version: '2.1.0' });
    expect(JSON.parse(out.cyclonedx!)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(JSON.parse(out['spdx-json']!)).toMatchObject({ spdxVersion: 'SPDX-2.3' });
    expect(JSON.parse(out.github!)).toMatchObject({ version: 0, sha: opts.sha });
    for (const text of Object.values(out)) expect(text.endsWith('\n')).toBe(true);
    expect(Object.keys(REPORT_FILE_NAMES).sort()).toEqual([...REPORT_FORMATS].sort());
  });

  it('SBOM-only CycloneDX has components and no vulnerabilities', async () => {
    const bom = JSON.parse(await renderReport('cyclonedx', [debianAppScan()], { sbomOnly: true })) as { components: unknown[]; vulnerabilities?: unknown };
    expect(bom.components.length).toBeGreaterThan(0);
    expect(bom.vulnerabilities).toBeUndefined();
  });

  it('parses --format lists and names unknown formats', () => {
    expect(parseReportFormats('json, sarif,json')).toEqual(['json', 'sarif']);
    expect(() => parseReportFormats('json,xml')).toThrow(StrataError);
    expect(() => parseReportFormats('json,xml')).toThrow('unknown report format "xml"; choose from table, json, sarif, cyclonedx, spdx-json, github');
    expect(() => parseReportFormats('')).toThrow(StrataError);
  });

  it('the github format without a commit is a usage error, not a crash', async () => {
    try {
      await renderReport('github', [debianAppScan()], {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StrataError);
      expect((e as StrataError).code).toBe('usage');
    }
  });
});
