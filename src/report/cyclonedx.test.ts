import { describe, expect, it } from 'vitest';
import { renderCycloneDx } from './cyclonedx.js';
import { alpineScan, debianAppScan, IMAGE, LAYERS, noDatabaseScan } from './testing/scan-results.js';
import { cycloneDxValidator as validator } from './testing/validators.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';

interface CdxProperty {
  name: string;
  value: string;
}
interface CdxComponent {
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  cpe?: string;
  'bom-ref': string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: CdxProperty[];
  components?: CdxComponent[];
}
interface CdxVulnerability {
  'bom-ref': string;
  id: string;
  source: { name: string; url: string };
  references?: Array<{ id: string; source: { name: string } }>;
  ratings: Array<{ source: { name: string }; score?: number; severity: string; method: string; vector?: string }>;
  affects: Array<{ ref: string; versions: Array<{ version: string; status: string }> }>;
  analysis?: { state: string; justification?: string; detail: string };
  recommendation?: string;
  properties?: CdxProperty[];
}
interface CdxBom {
  specVersion: string;
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: CdxComponent[] }; component: CdxComponent };
  components: CdxComponent[];
  dependencies: Array<{ ref: string; dependsOn?: string[] }>;
  vulnerabilities?: CdxVulnerability[];
}

const props = (c: { properties?: CdxProperty[] }, name: string) => (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value);

describe('CycloneDX report', () => {
  const text = renderCycloneDx([debianAppScan()], { now: NOW, serialNumber: SERIAL });
  const bom = JSON.parse(text) as CdxBom;
  const component = (name: string) => bom.components.find((c) => c.name === name)!;

  it('validates against the official CycloneDX 1.6 JSON schema (strict)', async () => {
    expect(await validator.validate(text)).toBeNull();
    for (const other of [
      renderCycloneDx([debianAppScan()], { sbomOnly: true }),
      renderCycloneDx([debianAppScan(), alpineScan()]),
      renderCycloneDx([noDatabaseScan()]),
    ]) {
      expect(await validator.validate(other)).toBeNull();
    }
    const broken = JSON.parse(text) as CdxBom;
    broken.components[0]!.type = 'banana';
    expect(await validator.validate(JSON.stringify(broken))).not.toBeNull();
  });

  it('describes the image as the metadata component with an oci purl', () => {
    expect(bom.specVersion).toBe('1.6');
    expect(bom.serialNumber).toBe(SERIAL);
    expect(bom.metadata.timestamp).toBe('2026-11-26T10:00:00.000Z');
    expect(bom.metadata.tools.components[0]).toMatchObject({ type: 'application', name: 'strata' });
    const root = bom.metadata.component;
    expect(root).toMatchObject({ type: 'container', name: IMAGE });
    expect(root.purl).toMatch(/^pkg:oci\/web@sha256%3A5f6a0e9e/);
    expect(root.purl).toContain('repository_url=registry.example.com%2Fteam%2Fweb');
    expect(root.purl).toContain('tag=1.4.2');
    expect(props(root, 'strata:layer:diffId')).toEqual(LAYERS.map((l) => l.diffId));
    const os = bom.components.find((c) => c.type === 'operating-system')!;
    expect(os).toMatchObject({ name: 'debian', version: '12.4' });
    expect(bom.dependencies.find((d) => d.ref === root['bom-ref'])?.dependsOn).toContain(os['bom-ref']);
    expect(bom.dependencies.find((d) => d.ref === os['bom-ref'])?.dependsOn).toContain(component('libssl3')['bom-ref']);
  });

  it('lists every package with purl, CPE, licences, layer and paths', () => {
    expect(bom.components.filter((c) => c.type === 'library')).toHaveLength(12);
    const libssl3 = component('libssl3');
    expect(libssl3.purl).toBe('pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl');
    expect(libssl3.version).toBe('3.0.11-1~deb12u1');
    expect(props(libssl3, 'strata:layer:diffId')).toEqual([LAYERS[0]!.diffId]);
    expect(props(libssl3, 'strata:layer:digest')).toEqual([LAYERS[0]!.digest]);
    expect(props(libssl3, 'strata:package:path')).toEqual(['var/lib/dpkg/status']);
    expect(props(libssl3, 'strata:package:sourceName')).toEqual(['openssl']);
    expect(component('libc6').licenses).toEqual([{ license: { id: 'LGPL-2.1-or-later' } }, { license: { id: 'GPL-2.0-or-later' } }]);
    expect(component('urllib3').cpe).toBe('cpe:2.3:a:python:urllib3:2.0.6:*:*:*:*:python:*:*');
    expect(component('core')).toMatchObject({ group: '@babel', purl: 'pkg:npm/%40babel/core@7.22.9' });
    expect(props(component('core'), 'strata:package:metadata:dev')).toEqual(['true']);
    expect(props(component('PyYAML'), 'strata:package:ownedBy')).toEqual(['Debian:12/python3-yaml']);
  });

  it('lists each vulnerability once, with ratings and every affected component', () => {
    const vulns = bom.vulnerabilities!;
    const active = vulns.filter((v) => !v.analysis);
    expect(active.map((v) => v.id)).toEqual([
      'CVE-2010-4756',
      'CVE-2021-23337',
      'CVE-2023-45288',
      'CVE-2023-45803',
      'CVE-2023-45853',
      'CVE-2023-4911',
      'CVE-2023-5363',
      'CVE-2023-5678',
    ]);
    const v5363 = active.find((v) => v.id === 'CVE-2023-5363')!;
    expect(v5363.source).toEqual({ name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-5363' });
    expect(v5363.references).toEqual([{ id: 'DSA-5532-1', source: { name: 'Debian Security Tracker', url: 'https://security-tracker.debian.org/tracker/DSA-5532-1' } }]);
    expect(v5363.ratings).toEqual([
      { source: { name: 'nvd' }, score: 7.5, severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' },
    ]);
    expect(v5363.affects.map((a) => a.ref).sort()).toEqual([component('libssl3')['bom-ref'], component('openssl')['bom-ref']].sort());
    expect(v5363.recommendation).toBe('Upgrade libssl3 to 3.0.11-1~deb12u2, openssl to 3.0.11-1~deb12u2.');
    // Debian's own rating is carried next to NVD's score.
    const low = active.find((v) => v.id === 'CVE-2010-4756')!;
    expect(low.ratings).toContainEqual({ source: { name: 'debian' }, severity: 'low', method: 'other' });
    // Every affects ref points at a component of this BOM.
    const refs = new Set([bom.metadata.component['bom-ref'], ...bom.components.map((c) => c['bom-ref'])]);
    for (const v of vulns) for (const a of v.affects) expect(refs.has(a.ref)).toBe(true);
    expect(props(active.find((v) => v.id === 'CVE-2023-4911')!, 'strata:kev:dateAdded')).toEqual(['2023-11-21']);
  });

  it('keeps a VEX-suppressed finding with its analysis', () => {
    const vex = bom.vulnerabilities!.filter((v) => v.analysis);
    expect(vex).toHaveLength(1);
    expect(vex[0]).toMatchObject({
      id: 'CVE-2023-5678',
      analysis: { state: 'not_affected', justification: 'code_not_reachable' },
      affects: [{ ref: component('openssl')['bom-ref'], versions: [{ version: '3.0.11-1~deb12u1', status: 'unaffected' }] }],
    });
    expect(vex[0]!.analysis!.detail).toContain('vex/openvex.json#CVE-2023-5678');
    expect(vex[0]!.recommendation).toBeUndefined();
  });

  it('SBOM-only output has no vulnerability section', () => {
    const sbom = JSON.parse(renderCycloneDx([debianAppScan()], { sbomOnly: true })) as CdxBom;
    expect(sbom.vulnerabilities).toBeUndefined();
    expect(sbom.components).toHaveLength(13);
  });

  it('is byte-identical for the same input, and serial numbers differ between runs by default', () => {
    expect(renderCycloneDx([debianAppScan()], { now: NOW, serialNumber: SERIAL })).toBe(text);
    const a = JSON.parse(renderCycloneDx([debianAppScan()])) as CdxBom;
    const b = JSON.parse(renderCycloneDx([debianAppScan()])) as CdxBom;
    expect(a.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('several images: one container component each, holding its own packages, with unique bom-refs', () => {
    const multi = JSON.parse(renderCycloneDx([debianAppScan(), alpineScan()])) as CdxBom;
    expect(multi.components.map((c) => [c.type, c.name])).toEqual([
      ['container', IMAGE],
      ['container', 'docker.io/library/alpine:3.19'],
    ]);
    expect(multi.components[1]!.components!.map((c) => c.name)).toEqual(['alpine', 'busybox']);
    const all: string[] = [];
    const walk = (cs: CdxComponent[]) => cs.forEach((c) => (all.push(c['bom-ref']), walk(c.components ?? [])));
    walk(multi.components);
    expect(new Set(all).size).toBe(all.length);
    expect(multi.vulnerabilities!.find((v) => v.id === 'CVE-2023-42363')!.affects[0]!.ref).toBe(multi.components[1]!.components![1]!['bom-ref']);
  });
});
