import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { buildJsonReport, NO_DATABASE_WARNING, REPORT_SCHEMA_VERSION, renderJson, type JsonReport } from './json.js';
import { alpineScan, cleanScan, debianAppScan, IMAGE, noDatabaseScan } from './testing/scan-results.js';
import { jsonReportValidator } from './testing/validators.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const validateStrict = jsonReportValidator(true);
const validateOpen = jsonReportValidator(false);

function parse(results = [debianAppScan()]): unknown {
  return JSON.parse(renderJson(results, { now: NOW }));
}

describe('JSON report', () => {
  it('validates against docs/report.schema.json, with no undocumented keys', () => {
    for (const doc of [parse(), parse([noDatabaseScan()]), parse([cleanScan()]), parse([debianAppScan(), alpineScan()]), parse([])]) {
      const ok = validateStrict(doc);
      expect(validateStrict.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      expect(validateOpen(doc)).toBe(true);
    }
  });

  it('the schema rejects a report with a wrong severity or a missing field', () => {
    const doc = parse() as JsonReport;
    const bad = structuredClone(doc);
    bad.findings[0]!.severity = 'SEVERE' as never;
    expect(validateOpen(bad)).toBe(false);
    const missing = structuredClone(doc) as Partial<JsonReport>;
    delete missing.summary;
    expect(validateOpen(missing)).toBe(false);
    const undocumented = structuredClone(doc);
    Object.assign(undocumented.packages[0]!, { files: ['usr/share/doc/libc6/copyright'] });
    expect(validateStrict(undocumented)).toBe(false);
    expect(validateOpen(undocumented)).toBe(true);
  });

  it('carries identity, layers, OS and the database a user needs', () => {
    const doc = parse() as JsonReport;
    expect(doc.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.generator.name).toBe('strata');
    expect(doc.createdAt).toBe('2026-11-26T10:00:00.000Z');
    expect(doc.artifact).toMatchObject({ name: IMAGE, type: 'container_image' });
    expect(doc.artifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.layers.map((l) => l.index)).toEqual([0, 1, 2]);
    expect(doc.layers[1]!.createdBy).toContain('apt-get install');
    expect(doc.os).toMatchObject({ family: 'debian', version: '12.4', ecosystem: 'Debian:12', codename: 'bookworm' });
    expect(doc.database?.sources.map((s) => s.id)).toEqual(['debian-tracker', 'kev', 'osv-go', 'osv-pypi']);
    expect(doc.database?.sources[3]).toMatchObject({ skipped: 2, skipReasons: [expect.stringContaining('PYSEC-2017-94') as unknown, expect.stringContaining('PYSEC-2018-28') as unknown] });
    expect(doc.skipped[0]).toMatchObject({ path: 'app/node_modules/broken/package.json', scanner: 'npm' });
    expect(doc.warnings).toEqual([]);
  });

  it('lists packages by ecosystem, name and version, without the internal file lists', () => {
    const doc = parse() as JsonReport;
    expect(doc.packages.map((p) => `${p.ecosystem} ${p.name}`)).toEqual([
      'Debian:12 libc6',
      'Debian:12 libssl3',
      'Debian:12 openssl',
      'Debian:12 python3-yaml',
      'Debian:12 zlib1g',
      'Go github.com/evanw/esbuild',
      'Go golang.org/x/sys',
      'Go stdlib',
      'PyPI PyYAML',
      'PyPI urllib3',
      'npm @babel/core',
      'npm lodash',
    ]);
    const libssl3 = doc.packages.find((p) => p.name === 'libssl3')!;
    expect(libssl3).toMatchObject({ source: { name: 'openssl', version: '3.0.11-1~deb12u1' }, arch: 'amd64', paths: ['var/lib/dpkg/status'] });
    expect(libssl3.layer).toBe(doc.layers[0]!.diffId);
    expect(libssl3).not.toHaveProperty('files');
    expect(JSON.stringify(doc)).not.toContain('usr/share/doc/libssl3/copyright');
    expect(doc.packages.find((p) => p.name === 'PyYAML')!.ownedBy).toEqual({ name: 'python3-yaml', ecosystem: 'Debian:12' });
    expect(doc.packages.find((p) => p.name === 'stdlib')).toMatchObject({ version: '1.20.12', ecosystem: 'Go' });
  });

  it('orders findings worst first, then by id, then by package', () => {
    const doc = parse() as JsonReport;
    expect(doc.findings.map((f) => `${f.severity} ${f.id} ${f.package.name}`)).toEqual([
      'CRITICAL CVE-2023-45853 zlib1g',
      'HIGH CVE-2021-23337 lodash',
      'HIGH CVE-2023-45288 stdlib',
      'HIGH CVE-2023-4911 libc6',
      'HIGH CVE-2023-5363 libssl3',
      'HIGH CVE-2023-5363 openssl',
      'MEDIUM CVE-2023-45803 urllib3',
      'MEDIUM CVE-2023-5678 libssl3',
      'LOW CVE-2010-4756 libc6',
    ]);
    const looney = doc.findings.find((f) => f.id === 'CVE-2023-4911')!;
    expect(looney).toMatchObject({
      aliases: ['DSA-5514-1'],
      installedVersion: '2.36-9+deb12u1',
      fixedVersion: '2.36-9+deb12u3',
      status: 'fixed',
      package: { name: 'libc6', source: { name: 'glibc' } },
      kev: { dateAdded: '2023-11-21' },
      explanation: { matchedBy: 'source-package', lookupName: 'glibc', scheme: 'dpkg' },
    });
    expect(looney.layer?.createdBy).toContain('ADD file:');
    const zlib = doc.findings.find((f) => f.id === 'CVE-2023-45853')!;
    expect(zlib.fixedVersion).toBeNull();
    expect(zlib.status).toBe('will_not_fix');
    expect(zlib.explanation.trackerState).toBe('<ignored>');
  });

  it('summarises counts per severity and per status, and says what was suppressed and why', () => {
    const doc = parse() as JsonReport;
    expect(doc.summary).toEqual({
      packages: 12,
      findings: 9,
      fixable: 7,
      suppressed: 1,
      bySeverity: { CRITICAL: 1, HIGH: 5, MEDIUM: 2, LOW: 1, UNKNOWN: 0 },
      byStatus: { fixed: 7, affected: 1, will_not_fix: 1, fix_deferred: 0, end_of_life: 0, not_affected: 0, under_investigation: 0 },
    });
    expect(doc.suppressed).toHaveLength(1);
    expect(doc.suppressed[0]).toMatchObject({
      by: 'vex',
      statement: 'vex/openvex.json#CVE-2023-5678',
      vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
      finding: { id: 'CVE-2023-5678', package: { name: 'openssl' } },
    });
  });

  it('a scan without a database says nothing was matched', () => {
    const doc = parse([noDatabaseScan()]) as JsonReport;
    expect(doc.database).toBeNull();
    expect(doc.findings).toEqual([]);
    expect(doc.warnings).toContain(NO_DATABASE_WARNING);
    expect(doc.packages).toHaveLength(12);
  });

  it('is byte-identical for the same scan whatever order the stages produced', () => {
    const a = debianAppScan();
    const b = debianAppScan();
    b.packages.reverse();
    b.findings.sort(() => 0).reverse();
    b.database!.sources.reverse();
    expect(renderJson([a], { now: NOW })).toBe(renderJson([b], { now: NOW }));
  });

  it('several images give one combined document with one complete report each', () => {
    const doc = parse([debianAppScan(), alpineScan()]) as { schemaVersion: number; results: JsonReport[] };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.results.map((r) => r.artifact.name)).toEqual([IMAGE, 'docker.io/library/alpine:3.19']);
    expect(doc.results[1]!.summary.bySeverity.MEDIUM).toBe(1);
    expect(doc.results.every((r) => r.createdAt === '2026-11-26T10:00:00.000Z')).toBe(true);
  });

  it('keeps the combined shape for one result when the run asked for several targets', () => {
    const doc = JSON.parse(renderJson([debianAppScan()], { now: NOW, combined: true })) as { results: JsonReport[] };
    expect(doc.results.map((r) => r.artifact.name)).toEqual([IMAGE]);
  });

  it('does not repeat the no-database warning the scan stage already gave', () => {
    const scan = noDatabaseScan();
    scan.warnings.push(NO_DATABASE_WARNING);
    expect(buildJsonReport(scan, { now: NOW }).warnings).toEqual(scan.warnings);
    expect(renderTable([scan])).not.toContain('Warning: no vulnerability database');
  });

  it('buildJsonReport keeps warnings the scan produced', () => {
    const scan = debianAppScan();
    scan.warnings.push('layer sha256:e1f2… could not be read from the cache; read again');
    expect(buildJsonReport(scan, { now: NOW }).warnings).toEqual(['layer sha256:e1f2… could not be read from the cache; read again']);
  });
});
