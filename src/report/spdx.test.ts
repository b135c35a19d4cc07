import { describe, expect, it } from 'vitest';
import { buildSpdx, renderSpdx, type SpdxDocument } from './spdx.js';
import { alpineScan, debianAppScan, IMAGE, LAYERS, noDatabaseScan, PKG } from './testing/scan-results.js';
import { spdxSemanticProblems as semanticProblems, spdxValidator as validate } from './testing/validators.js';

const NOW = new Date('2026-11-26T10:00:00.123Z');

describe('SPDX 2.3 report', () => {
  const doc = buildSpdx([debianAppScan()], { now: NOW, uuid: '4d2a6b4e-3c1f-4c83-9f8e-0b5c3a1d7e20' });
  const pkg = (name: string) => doc.packages.find((p) => p.name === name)!;

  it('validates against the SPDX 2.3 schema written from the specification, and its cross-references hold', () => {
    for (const d of [doc, buildSpdx([debianAppScan(), alpineScan()]), buildSpdx([noDatabaseScan()]), buildSpdx([])]) {
      const json = JSON.parse(JSON.stringify(d)) as SpdxDocument;
      expect(validate(json), JSON.stringify(validate.errors, null, 1)).toBe(true);
      expect(semanticProblems(json)).toEqual([]);
    }
  });

  it('the schema rejects what the specification forbids', () => {
    const mutate = (f: (d: Record<string, unknown> & SpdxDocument) => void) => {
      const d = structuredClone(doc) as Record<string, unknown> & SpdxDocument;
      f(d);
      return validate(d);
    };
    expect(mutate((d) => delete (d.packages[1] as Partial<typeof d.packages[1]>).downloadLocation)).toBe(false);
    expect(mutate((d) => (d.packages[1]!.SPDXID = 'SPDXRef-libssl3_1'))).toBe(false);
    expect(mutate((d) => (d.creationInfo.created = '2026-11-26T10:00:00.123Z'))).toBe(false);
    expect(mutate((d) => (d.documentNamespace = 'https://spdx.org/spdxdocs/x#frag'))).toBe(false);
    expect(mutate((d) => (d.packages[2]!.externalRefs![0]!.referenceCategory = 'SECURITY'))).toBe(false);
    expect(mutate((d) => Object.assign(d.packages[2]!, { packageVerificationCode: { packageVerificationCodeValue: 'd6a770ba38583ed4bb4525bd96e50461655d2758' } }))).toBe(false);
    expect(mutate((d) => (d.dataLicense = 'MIT' as 'CC0-1.0'))).toBe(false);
  });

  it('has the document header the specification requires', () => {
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: IMAGE });
    expect(doc.documentNamespace).toBe('https://spdx.org/spdxdocs/strata-registry.example.com-team-web-1.4.2-4d2a6b4e-3c1f-4c83-9f8e-0b5c3a1d7e20');
    expect(doc.creationInfo).toEqual({ created: '2026-11-26T10:00:00Z', creators: [expect.stringMatching(/^Tool: strata-\d+\.\d+\.\d+/)] });
    const a = buildSpdx([debianAppScan()]);
    const b = buildSpdx([debianAppScan()]);
    expect(a.documentNamespace).not.toBe(b.documentNamespace);
  });

  it('every package has an id, NOASSERTION download location, its purl and its CPE', () => {
    expect(doc.packages).toHaveLength(1 + 1 + 12);
    const libssl3 = pkg('libssl3');
    expect(libssl3).toMatchObject({ versionInfo: '3.0.11-1~deb12u1', downloadLocation: 'NOASSERTION', filesAnalyzed: false, licenseDeclared: 'Apache-2.0' });
    expect(libssl3.SPDXID).toMatch(/^SPDXRef-Package-libssl3-3.0.11-1-deb12u1-[0-9a-f]{12}$/);
    expect(libssl3.externalRefs).toEqual([{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: PKG.libssl3.purl }]);
    expect(pkg('urllib3').externalRefs).toContainEqual({ referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: PKG.urllib3.cpe });
    expect(pkg('libc6').licenseDeclared).toBe('LGPL-2.1-or-later AND GPL-2.0-or-later');
    const notes = libssl3.annotations!.map((a) => a.comment);
    expect(notes).toContain(`strata:layer:diffId: ${LAYERS[0]!.diffId}`);
    expect(notes).toContain('strata:package:sourceName: openssl');
    expect(notes).toContain('strata:package:path: var/lib/dpkg/status');
  });

  it('the document describes the image, which contains its OS and packages', () => {
    const image = doc.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER')!;
    const os = doc.packages.find((p) => p.primaryPackagePurpose === 'OPERATING-SYSTEM')!;
    expect(image.name).toBe(IMAGE);
    expect(image.externalRefs?.[0]?.referenceLocator).toMatch(/^pkg:oci\/web@sha256%3A/);
    expect(os).toMatchObject({ name: 'debian', versionInfo: '12.4' });
    const rel = (from: string, type: string, to: string) => doc.relationships.some((r) => r.spdxElementId === from && r.relationshipType === type && r.relatedSpdxElement === to);
    expect(rel('SPDXRef-DOCUMENT', 'DESCRIBES', image.SPDXID)).toBe(true);
    expect(rel(image.SPDXID, 'CONTAINS', os.SPDXID)).toBe(true);
    expect(rel(os.SPDXID, 'CONTAINS', pkg('libssl3').SPDXID)).toBe(true);
    expect(rel(image.SPDXID, 'CONTAINS', pkg('urllib3').SPDXID)).toBe(true);
  });

  it('licences without an SPDX id become defined LicenseRefs', () => {
    const scan = debianAppScan();
    scan.packages = [{ ...PKG.urllib3, licenses: ['Python Software Foundation License', 'MIT OR Apache-2.0'] }];
    const d = buildSpdx([scan]);
    expect(d.packages.find((p) => p.name === 'urllib3')!.licenseDeclared).toBe('LicenseRef-Python-Software-Foundation-License AND (MIT OR Apache-2.0)');
    expect(d.hasExtractedLicensingInfos).toEqual([
      { licenseId: 'LicenseRef-Python-Software-Foundation-License', extractedText: 'Python Software Foundation License', name: 'Python Software Foundation License' },
    ]);
    expect(semanticProblems(d)).toEqual([]);
    expect(validate(JSON.parse(JSON.stringify(d)))).toBe(true);
  });

  it('several images: one document that describes each; output is stable for fixed time and namespace', () => {
    const multi = buildSpdx([debianAppScan(), alpineScan()]);
    expect(multi.relationships.filter((r) => r.relationshipType === 'DESCRIBES')).toHaveLength(2);
    expect(multi.name).toBe(`${IMAGE} and 1 more`);
    const opts = { now: NOW, uuid: '4d2a6b4e-3c1f-4c83-9f8e-0b5c3a1d7e20' };
    expect(renderSpdx([debianAppScan()], opts)).toBe(renderSpdx([debianAppScan()], opts));
  });
});
