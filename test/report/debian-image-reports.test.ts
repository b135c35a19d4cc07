/**
 * Every report format on a real scan: the Debian test image (built by
 * global-setup from ../shared/data/images) matched against the database built
 * from the real feed snapshots in ../shared/data/vulns. Each output goes
 * through the official validators; Strata's own SBOMs, read back with
 * `strata sbom-scan`'s reader and matched again, give the same findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VulnStore } from '../../src/core/advisory.js';
import type { Package } from '../../src/core/package.js';
import type { ScanResult } from '../../src/core/result.js';
import { openImage } from '../../src/image/open.js';
import { countBySeverity } from '../../src/report/common.js';
import { renderReport, type JsonReport, type SpdxDocument } from '../../src/report/index.js';
import { formatCounts } from '../../src/report/table.js';
import {
  cycloneDxValidator,
  errorsOf,
  githubSarifProblems,
  githubSnapshotValidator,
  jsonReportValidator,
  sarifMultitool,
  sarifSchemaValidator,
  spdxSemanticProblems,
  spdxValidator,
} from '../../src/report/testing/validators.js';
import { scanImage, scanInventory } from '../../src/scan/scan.js';
import { parseSbom } from '../../src/sbom/index.js';
import { buildDatabase, openVulnStore } from '../../src/vulndb/index.js';
import { debianImage } from '../support/images.js';
import { sharedData } from '../support/paths.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'strata-report-e2e-'));
let store: VulnStore;
let result: ScanResult;

beforeAll(async () => {
  const db = path.join(work, 'db', 'strata.db');
  await buildDatabase({ inputs: [sharedData('vulns')], output: db });
  store = openVulnStore(db);
  const image = await openImage(debianImage().ociLayout);
  try {
    result = await scanImage(image, { store, cache: null });
  } finally {
    await image.close();
  }
}, 600_000);

afterAll(() => {
  store?.close();
  rmSync(work, { recursive: true, force: true });
});

const GITHUB = { sha: 'ddc951f4b1293222421f2c8df679786153acf689', ref: 'refs/heads/main' };
const findingKeys = (r: Pick<ScanResult, 'findings'>) => r.findings.map((f) => `${f.id} ${f.package.ecosystem} ${f.package.name} ${f.package.version}`).sort();

describe('reports of the real Debian test image', () => {
  it('the scan found packages and vulnerabilities to report', () => {
    expect(result.os?.ecosystem).toBe('Debian:12');
    expect(result.packages.length).toBeGreaterThan(100);
    expect(result.findings.length).toBeGreaterThan(10);
  });

  it('JSON: valid against docs/report.schema.json, nothing undocumented, counts add up', async () => {
    const doc = JSON.parse(await renderReport('json', [result])) as JsonReport;
    const validate = jsonReportValidator(true);
    expect(validate(doc), errorsOf(validate)).toBe(true);
    expect(doc.packages).toHaveLength(result.packages.length);
    expect(doc.findings).toHaveLength(result.findings.length);
    expect(Object.values(doc.summary.bySeverity).reduce((a, b) => a + b, 0)).toBe(result.findings.length);
    expect(doc.database?.sources.length).toBeGreaterThan(0);
  });

  it('table: every finding listed, totals per severity as counted', async () => {
    const text = await renderReport('table', [result], { width: 200 });
    for (const f of result.findings) expect(text).toContain(f.id);
    expect(text).toContain(`${result.artifact.name}: ${formatCounts(countBySeverity(result.findings))}`);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(200);
  });

  it('SARIF: accepted by Microsoft\'s validator and the OASIS schema, meets GitHub\'s requirements', async () => {
    const text = await renderReport('sarif', [result]);
    const log = JSON.parse(text) as Log;
    expect(sarifSchemaValidator(log), errorsOf(sarifSchemaValidator)).toBe(true);
    expect(githubSarifProblems(log)).toEqual([]);
    const issues = await sarifMultitool(text);
    expect(issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(issues.filter((i) => i.level === 'warning' && i.ruleId !== 'SARIF2005')).toEqual([]);
    expect(log.runs[0]!.results).toHaveLength(result.findings.length);
    const dpkg = log.runs[0]!.results!.filter((r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri === 'var/lib/dpkg/status');
    expect(dpkg.length).toBe(result.findings.filter((f) => f.package.ecosystem === 'Debian:12').length);
  }, 120_000);

  it('CycloneDX: valid 1.6, every affected ref resolves', async () => {
    const text = await renderReport('cyclonedx', [result]);
    expect(await cycloneDxValidator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as { components: Array<{ 'bom-ref': string }>; vulnerabilities: Array<{ affects: Array<{ ref: string }> }> };
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    const affected = bom.vulnerabilities.flatMap((v) => v.affects.map((a) => a.ref));
    expect(affected.length).toBeGreaterThanOrEqual(result.findings.length);
    expect(affected.filter((r) => !refs.has(r))).toEqual([]);
  });

  it('SPDX: valid against the SPDX 2.3 schema, references and licences resolve', async () => {
    const doc = JSON.parse(await renderReport('spdx-json', [result])) as SpdxDocument;
    expect(spdxValidator(doc), errorsOf(spdxValidator)).toBe(true);
    expect(spdxSemanticProblems(doc)).toEqual([]);
  });

  it('GitHub snapshot: the documented shape, every package that is not OS-owned resolved once', async () => {
    const snap = JSON.parse(await renderReport('github', [result], GITHUB)) as { manifests: Record<string, { resolved: Record<string, unknown> }> };
    expect(githubSnapshotValidator(snap), errorsOf(githubSnapshotValidator)).toBe(true);
    const resolved = Object.values(snap.manifests).flatMap((m) => Object.keys(m.resolved));
    expect(new Set(resolved)).toEqual(new Set(result.packages.filter((p) => !p.ownedBy).map((p) => p.purl)));
  });

  it('Strata\'s own SBOMs scanned again give the same packages and the same findings', async () => {
    const essence = (p: Package) => [p.ecosystem, p.name, p.version, p.purl, p.source?.name ?? '', p.source?.version ?? '', p.layer ?? '', p.paths.join(',')].join(' ');
    for (const format of ['cyclonedx', 'spdx-json'] as const) {
      const read = parseSbom(await renderReport(format, [result], { sbomOnly: true }), `image.${format}`);
      expect(read.inventory.packages.map(essence).sort()).toEqual(result.packages.map(essence).sort());
      expect(read.inventory.distro?.ecosystem).toBe('Debian:12');
      const again = await scanInventory(read.artifact, [], read.inventory, { store });
      expect(findingKeys(again)).toEqual(findingKeys(result));
    }
  });
});
