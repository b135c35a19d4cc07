/**
 * `strata sbom REF --format cyclonedx|spdx-json` on the real Debian test
 * image: each document passes the validators the report tests use (the
 * CycloneDX library's strict 1.6 schema validator; the SPDX 2.3 JSON schema
 * plus the specification's reference rules) and lists exactly the packages
 * of `strata image --format json` for the same image — also with
 * --keep-os-owned, and when written with -o or by `strata image` into
 * --output-dir next to the JSON report.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpdxDocument } from '../../src/report/index.js';
import { cycloneDxValidator, errorsOf, spdxSemanticProblems, spdxValidator } from '../../src/report/testing/validators.js';
import { noDb, okJson, runStrata } from '../support/cli.js';
import type { JsonReport } from '../support/debian-oracle.js';
import { debianImage } from '../support/images.js';

interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { type: string; name: string } };
  components: Array<{ type: string; name: string; version?: string; purl?: string; 'bom-ref': string }>;
}

let work: string;
let cache: string;
let report: JsonReport;
let keptReport: JsonReport;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-sbom-'));
  cache = path.join(work, 'cache');
  report = okJson<JsonReport>(await runStrata(['image', '--input', debianImage().ociLayout, ...noDb(work), '--cache-dir', cache]));
  keptReport = okJson<JsonReport>(await runStrata(['image', '--input', debianImage().ociLayout, ...noDb(work), '--cache-dir', cache, '--keep-os-owned']));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const purls = (r: JsonReport) => r.packages.map((p) => p.purl).sort();
const cdxPurls = (bom: CycloneDx) => bom.components.filter((c) => c.purl !== undefined).map((c) => c.purl as string).sort();
/** Package purls of an SPDX document, without the image itself (pkg:oci) and the OS element. */
const spdxPurls = (doc: SpdxDocument) =>
  doc.packages
    .filter((p) => p.primaryPackagePurpose !== 'CONTAINER' && p.primaryPackagePurpose !== 'OPERATING-SYSTEM')
    .flatMap((p) => (p.externalRefs ?? []).filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator))
    .sort();

async function sbom(format: string, extra: string[] = []): Promise<string> {
  const run = await runStrata(['sbom', debianImage().ociLayout, '--format', format, '--cache-dir', cache, ...extra]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.leftInTmp).toEqual([]);
  // An SBOM makes no claim about vulnerabilities: no "no database" warning, nothing else on stderr.
  expect(run.stderr).toBe('');
  return run.stdout;
}

async function validCycloneDx(text: string): Promise<CycloneDx> {
  expect(await cycloneDxValidator.validate(text)).toBeNull();
  const bom = JSON.parse(text) as CycloneDx;
  expect(bom.bomFormat).toBe('CycloneDX');
  expect(bom.specVersion).toBe('1.6');
  return bom;
}

function validSpdx(text: string): SpdxDocument {
  const doc = JSON.parse(text) as SpdxDocument;
  expect(spdxValidator(doc), errorsOf(spdxValidator)).toBe(true);
  expect(spdxSemanticProblems(doc)).toEqual([]);
  expect(doc.spdxVersion).toBe('SPDX-2.3');
  return doc;
}

describe('strata sbom', () => {
  it('CycloneDX 1.6: valid, the image as metadata component, the same packages as the JSON report', async () => {
    const bom = await validCycloneDx(await sbom('cyclonedx'));
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: debianImage().ociLayout });
    expect(cdxPurls(bom)).toEqual(purls(report));
    expect(bom.components.filter((c) => c.type === 'operating-system').map((c) => `${c.name} ${c.version}`)).toEqual(['debian 12']);
  });

  it('SPDX 2.3: valid, the same packages as the JSON report', async () => {
    const doc = validSpdx(await sbom('spdx-json'));
    expect(spdxPurls(doc)).toEqual(purls(report));
  });

  it('--keep-os-owned lists the Debian-owned language packages too, in both formats', async () => {
    expect(purls(keptReport).length).toBeGreaterThan(purls(report).length);
    const bom = await validCycloneDx(await sbom('cyclonedx', ['--keep-os-owned']));
    expect(cdxPurls(bom)).toEqual(purls(keptReport));
    const doc = validSpdx(await sbom('spdx-json', ['--keep-os-owned']));
    expect(spdxPurls(doc)).toEqual(purls(keptReport));
  });

  it('-o writes the document to a file and nothing to stdout', async () => {
    const file = path.join(work, 'out', 'debian.cdx.json');
    const run = await runStrata(['sbom', debianImage().ociLayout, '--cache-dir', cache, '-o', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(cdxPurls(await validCycloneDx(readFileSync(file, 'utf8')))).toEqual(purls(report));
    expect(readdirSync(path.dirname(file))).toEqual(['debian.cdx.json']);
  });

  it('an unknown format is a usage error', async () => {
    const run = await runStrata(['sbom', debianImage().ociLayout, '--format', 'spdx-tag-value']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^strata: error: --format must be cyclonedx or spdx-json, got "spdx-tag-value"$/m);
  });
});

describe('strata image --output-dir with SBOM formats', () => {
  it('writes the JSON report and both SBOMs, all valid and listing the same packages', async () => {
    const out = path.join(work, 'all-formats');
    const run = await runStrata(['image', '--input', debianImage().ociLayout, ...noDb(work), '--cache-dir', cache, '--format', 'json,cyclonedx,spdx-json', '--output-dir', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual(['strata-report.json', 'strata-sbom.cdx.json', 'strata-sbom.spdx.json']);
    const read = (name: string) => readFileSync(path.join(out, name), 'utf8');
    expect(purls(JSON.parse(read('strata-report.json')) as JsonReport)).toEqual(purls(report));
    expect(cdxPurls(await validCycloneDx(read('strata-sbom.cdx.json')))).toEqual(purls(report));
    expect(spdxPurls(validSpdx(read('strata-sbom.spdx.json')))).toEqual(purls(report));
  });
});
