import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/paths.js';
import { isStrataError, type StrataError } from '../core/errors.js';
import type { Package } from '../core/package.js';
import { renderCycloneDx } from '../report/cyclonedx.js';
import { renderSpdx } from '../report/spdx.js';
import { alpineScan, debianAppScan, IMAGE, LAYERS, MANIFEST_DIGEST } from '../report/testing/scan-results.js';
import { MAX_SBOM_BYTES, parseSbom, readSbomFile } from './index.js';
import { splitAnd } from './spdx.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-sbom-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What identifies a package for matching and reporting (the internal `files` list is not part of an SBOM). */
function essence(p: Package) {
  return {
    name: p.name,
    version: p.version,
    ecosystem: p.ecosystem,
    kind: p.kind,
    purl: p.purl,
    cpe: p.cpe,
    source: p.source,
    arch: p.arch,
    layer: p.layer,
    paths: p.paths,
    foundBy: p.foundBy,
    licenses: p.licenses ?? [],
    ownedBy: p.ownedBy,
    metadata: p.metadata,
  };
}
const byPurl = (a: { purl: string }, b: { purl: string }) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0);

describe('round trip: Strata SBOMs read back', () => {
  const scan = debianAppScan();
  const expected = scan.packages.map(essence).sort(byPurl);

  for (const [format, render] of [
    ['CycloneDX', () => renderCycloneDx([scan], { sbomOnly: true })],
    ['SPDX', () => renderSpdx([scan])],
  ] as const) {
    it(`${format}: the same packages, distro and image identity`, () => {
      const read = parseSbom(render(), `app.${format.toLowerCase()}.json`);
      expect(read.inventory.packages.map(essence).sort(byPurl)).toEqual(expected);
      expect(read.inventory.distro).toMatchObject({ family: 'debian', version: '12.4', ecosystem: 'Debian:12', codename: 'bookworm' });
      expect(read.artifact).toMatchObject({ name: IMAGE, type: 'sbom', digest: MANIFEST_DIGEST, repoTags: [IMAGE] });
      expect(read.layerDiffIds).toEqual(LAYERS.map((l) => l.diffId));
      expect(read.inventory.skipped).toEqual([]);
      expect(read.warnings).toEqual([]);
    });
  }

  it('a BOM of several images (nested components) reads back every image\'s packages in its own ecosystem', () => {
    const read = parseSbom(renderCycloneDx([debianAppScan(), alpineScan()]));
    expect(read.inventory.packages).toHaveLength(13);
    expect(read.inventory.packages.find((p) => p.name === 'busybox')!.ecosystem).toBe('Alpine:v3.19');
    expect(read.inventory.packages.find((p) => p.name === 'libssl3')!.ecosystem).toBe('Debian:12');
  });

  it('CycloneDX 1.5+ evidence occurrences give paths', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [{ type: 'library', name: 'requests', version: '2.31.0', purl: 'pkg:pypi/requests@2.31.0', evidence: { occurrences: [{ location: '/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA' }] } }],
    };
    expect(parseSbom(JSON.stringify(bom)).inventory.packages[0]!.paths).toEqual(['usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA']);
  });

  it('an Alpine image round-trips through both formats', () => {
    const alpine = alpineScan();
    for (const text of [renderCycloneDx([alpine]), renderSpdx([alpine])]) {
      const read = parseSbom(text);
      expect(read.inventory.packages.map(essence)).toEqual(alpine.packages.map(essence));
      expect(read.inventory.distro?.ecosystem).toBe('Alpine:v3.19');
    }
  });
});

describe('SBOMs made by other tools', () => {
  it('reads the real GraalVM native-image CycloneDX SBOM from Syft\'s test data', async () => {
    const read = await readSbomFile(sharedData('fixtures/syft/java/testdata/graalvm-sbom/micronaut.json'));
    expect(read.format).toBe('cyclonedx');
    expect(read.artifact.name).toBe('main-test-app');
    expect(read.inventory.packages.map((p) => [p.ecosystem, p.name, p.version])).toEqual([
      ['Maven', 'io.netty:netty-codec-http2', '4.1.73.Final'],
      ['Maven', 'io.micronaut:core', '4.2.3'],
    ]);
    // The file's netty component says 4.1.73.Final while its purl says 4.1.104.Final: said, not hidden.
    expect(read.warnings.join('\n')).toContain('4.1.73.Final differs from its package URL');
    // basic-lib has no purl: listed as skipped, not guessed.
    expect(read.inventory.skipped).toEqual([{ path: expect.stringContaining('micronaut.json') as unknown, scanner: 'sbom-cyclonedx', reason: 'component "basic-lib" (components[2]): no package URL' }]);
    // Syft's CPE guesses are not taken as declared CPEs.
    expect(read.inventory.packages.every((p) => p.cpe === undefined)).toBe(true);
  });

  it('a Syft-style CycloneDX 1.5 of a Debian image: source packages, binNMU versions, layers and paths from syft properties', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      metadata: { component: { 'bom-ref': 'e1b3a7f0', type: 'container', name: 'debian:12', version: 'sha256:b16cef8cbcb20935c0f052e37fc3d38dc92bfec0bcfb894c328547f81e932d67' } },
      components: [
        {
          'bom-ref': 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12&package-id=0c1e',
          type: 'library',
          name: 'libssl3',
          version: '3.0.11-1~deb12u2',
          licenses: [{ license: { name: 'Apache-2.0' } }],
          cpe: 'cpe:2.3:a:libssl3:libssl3:3.0.11-1\\~deb12u2:*:*:*:*:*:*:*',
          purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12',
          properties: [
            { name: 'syft:package:foundBy', value: 'dpkg-db-cataloger' },
            { name: 'syft:package:type', value: 'deb' },
            { name: 'syft:location:0:layerID', value: 'sha256:7292cf786aa89399bb4d4c9ab3e8f5d3f2d4f8e1b0c8a3b6e4f1d2c3b4a59687' },
            { name: 'syft:location:0:path', value: '/var/lib/dpkg/status' },
            { name: 'syft:location:1:path', value: '/usr/share/doc/libssl3/copyright' },
            { name: 'syft:metadata:source', value: 'openssl' },
          ],
        },
        {
          type: 'library',
          name: 'python3-yaml',
          version: '6.0-3+b2',
          purl: 'pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&upstream=pyyaml%406.0-3&distro=debian-12',
        },
        {
          type: 'library',
          name: 'zlib1g',
          version: '1:1.2.13.dfsg-1',
          purl: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&upstream=zlib&distro=debian-12',
        },
        { type: 'library', name: 'stdlib', version: 'go1.21.5', purl: 'pkg:golang/stdlib@1.21.5', properties: [{ name: 'syft:location:0:path', value: '/usr/local/bin/app' }] },
        { type: 'library', name: 'PyYAML', version: '6.0', purl: 'pkg:pypi/pyyaml@6.0' },
        { type: 'file', name: '/etc/passwd', hashes: [{ alg: 'SHA-1', content: 'a2f4bb5a6f6ec5b9a2d6e3e0f2a6e8d7c4b3a291' }] },
        { type: 'operating-system', name: 'debian', version: '12', description: 'Debian GNU/Linux 12 (bookworm)' },
      ],
    };
    const read = parseSbom(JSON.stringify(bom), 'syft.cdx.json');
    const get = (n: string) => read.inventory.packages.find((p) => p.name === n)!;
    expect(read.inventory.distro).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12' });
    expect(get('libssl3')).toMatchObject({
      ecosystem: 'Debian:12',
      kind: 'os',
      source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
      arch: 'amd64',
      layer: 'sha256:7292cf786aa89399bb4d4c9ab3e8f5d3f2d4f8e1b0c8a3b6e4f1d2c3b4a59687',
      paths: ['var/lib/dpkg/status', 'usr/share/doc/libssl3/copyright'],
      foundBy: 'dpkg-db-cataloger',
      licenses: ['Apache-2.0'],
      cpe: 'cpe:2.3:a:libssl3:libssl3:3.0.11-1\\~deb12u2:*:*:*:*:*:*:*',
    });
    // A binNMU: the binary version is 6.0-3+b2, the source version (what advisories compare) 6.0-3.
    expect(get('python3-yaml')).toMatchObject({ version: '6.0-3+b2', source: { name: 'pyyaml', version: '6.0-3' } });
    expect(get('zlib1g')).toMatchObject({ version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } });
    expect(get('stdlib')).toMatchObject({ ecosystem: 'Go', version: '1.21.5', paths: ['usr/local/bin/app'] });
    expect(get('PyYAML')).toMatchObject({ ecosystem: 'PyPI', name: 'PyYAML', purl: 'pkg:pypi/pyyaml@6.0' });
    expect(read.inventory.packages).toHaveLength(5);
    expect(read.inventory.skipped).toEqual([]);
    expect(read.warnings).toEqual([]);
  });

  it('a Trivy-style CycloneDX of a RHEL image: epochs, source RPMs and the image digest from trivy properties', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: 'urn:uuid:6f7d8c2e-2b3a-4f0e-9d1c-5a6b7c8d9e0f',
      version: 1,
      metadata: {
        component: {
          'bom-ref': 'pkg:oci/ubi9@sha256%3A1ee4d8c50d14d9c9e9229d9a039d793fcbc9aa803806d194c957a397cf1d2b17?arch=amd64&repository_url=registry.access.redhat.com%2Fubi9',
          type: 'container',
          name: 'registry.access.redhat.com/ubi9:9.3',
          purl: 'pkg:oci/ubi9@sha256%3A1ee4d8c50d14d9c9e9229d9a039d793fcbc9aa803806d194c957a397cf1d2b17?arch=amd64&repository_url=registry.access.redhat.com%2Fubi9',
          properties: [
            { name: 'aquasecurity:trivy:DiffID', value: 'sha256:33204bfe17ee50f1cb7bd6ba7d3a0b4a6d6e7ac4c0bbb3cb3f7f5a5c9a0d2e11' },
            { name: 'aquasecurity:trivy:ImageID', value: 'sha256:8d2a8d4b4e7e6cf8c1d2b3a4f5e6d7c8b9a0f1e2d3c4b5a6978877665544332' },
            { name: 'aquasecurity:trivy:RepoDigest', value: 'registry.access.redhat.com/ubi9@sha256:1ee4d8c50d14d9c9e9229d9a039d793fcbc9aa803806d194c957a397cf1d2b17' },
            { name: 'aquasecurity:trivy:RepoTag', value: 'registry.access.redhat.com/ubi9:9.3' },
          ],
        },
      },
      components: [
        {
          'bom-ref': 'pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=redhat-9.3&epoch=1',
          type: 'library',
          supplier: { name: 'Red Hat, Inc.' },
          name: 'openssl-libs',
          version: '3.0.7-24.el9',
          licenses: [{ license: { name: 'ASL 2.0' } }],
          purl: 'pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=redhat-9.3&epoch=1',
          properties: [
            { name: 'aquasecurity:trivy:LayerDiffID', value: 'sha256:33204bfe17ee50f1cb7bd6ba7d3a0b4a6d6e7ac4c0bbb3cb3f7f5a5c9a0d2e11' },
            { name: 'aquasecurity:trivy:PkgType', value: 'redhat' },
            { name: 'aquasecurity:trivy:SrcEpoch', value: '1' },
            { name: 'aquasecurity:trivy:SrcName', value: 'openssl' },
            { name: 'aquasecurity:trivy:SrcRelease', value: '24.el9' },
            { name: 'aquasecurity:trivy:SrcVersion', value: '3.0.7' },
          ],
        },
        { 'bom-ref': 'ab12', type: 'operating-system', name: 'redhat', version: '9.3' },
        { 'bom-ref': 'cd34', type: 'application', name: 'usr/lib/node_modules/npm', properties: [{ name: 'aquasecurity:trivy:Class', value: 'lang-pkgs' }] },
        { 'bom-ref': 'pkg:generic/openjdk@17.0.9', type: 'library', name: 'openjdk', version: '17.0.9', purl: 'pkg:generic/openjdk@17.0.9' },
      ],
    };
    const read = parseSbom(JSON.stringify(bom), 'trivy.cdx.json');
    expect(read.artifact).toMatchObject({
      name: 'registry.access.redhat.com/ubi9:9.3',
      digest: 'sha256:1ee4d8c50d14d9c9e9229d9a039d793fcbc9aa803806d194c957a397cf1d2b17',
      repoTags: ['registry.access.redhat.com/ubi9:9.3'],
    });
    expect(read.layerDiffIds).toEqual(['sha256:33204bfe17ee50f1cb7bd6ba7d3a0b4a6d6e7ac4c0bbb3cb3f7f5a5c9a0d2e11']);
    expect(read.inventory.distro).toMatchObject({ family: 'rhel', version: '9.3', ecosystem: 'Red Hat:enterprise_linux:9' });
    expect(read.inventory.packages).toEqual([
      expect.objectContaining({
        name: 'openssl-libs',
        version: '1:3.0.7-24.el9',
        ecosystem: 'Red Hat:enterprise_linux:9',
        source: { name: 'openssl', version: '1:3.0.7-24.el9' },
        arch: 'x86_64',
        layer: 'sha256:33204bfe17ee50f1cb7bd6ba7d3a0b4a6d6e7ac4c0bbb3cb3f7f5a5c9a0d2e11',
        licenses: ['ASL 2.0'],
      }),
    ]);
    expect(read.inventory.skipped.map((s) => s.reason)).toEqual(['component "openjdk" (pkg:generic/openjdk@17.0.9): package type "generic" is not one Strata matches']);
  });

  it('a Syft-style SPDX 2.2 JSON of an Alpine image: distro from the purl, paths from sourceInfo', () => {
    const doc = {
      spdxVersion: 'SPDX-2.2',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'alpine:3.19',
      documentNamespace: 'https://anchore.com/syft/image/alpine-3.19-5e0c1d8e-6a4f-4b7a-9f44-3c0a7e1d2b11',
      creationInfo: { created: '2026-11-20T09:12:44Z', creators: ['Organization: Anchore, Inc', 'Tool: syft-1.18.1'], licenseListVersion: '3.25' },
      packages: [
        {
          name: 'busybox',
          SPDXID: 'SPDXRef-Package-apk-busybox-4d0c3f1a2b5e6d7c',
          versionInfo: '1.36.1-r15',
          supplier: 'Person: Sören Tempel <soeren+alpine@soeren-tempel.net>',
          downloadLocation: 'https://busybox.net/',
          filesAnalyzed: false,
          sourceInfo: 'acquired package info from APK DB: /lib/apk/db/installed',
          licenseConcluded: 'NOASSERTION',
          licenseDeclared: 'GPL-2.0-only',
          copyrightText: 'NOASSERTION',
          externalRefs: [
            { referenceCategory: 'SECURITY', referenceType: 'cpe23Type', referenceLocator: 'cpe:2.3:a:busybox:busybox:1.36.1-r15:*:*:*:*:*:*:*' },
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&upstream=busybox&distro=alpine-3.19.1' },
          ],
        },
        {
          name: 'ssl_client',
          SPDXID: 'SPDXRef-Package-apk-ssl-client-9a8b7c6d5e4f3a2b',
          versionInfo: '1.36.1-r15',
          downloadLocation: 'NOASSERTION',
          licenseDeclared: 'LicenseRef-BusyBox-GPL AND MIT',
          externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:apk/alpine/ssl_client@1.36.1-r15?arch=x86_64&upstream=busybox&distro=alpine-3.19.1' }],
        },
        {
          name: 'alpine:3.19',
          SPDXID: 'SPDXRef-DocumentRoot-Image-alpine-3.19',
          versionInfo: 'sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b',
          downloadLocation: 'NOASSERTION',
          primaryPackagePurpose: 'CONTAINER',
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:oci/alpine@sha256%3Ac5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b?arch=amd64&tag=3.19' }],
        },
      ],
      hasExtractedLicensingInfos: [{ licenseId: 'LicenseRef-BusyBox-GPL', extractedText: 'BusyBox is GPL-2.0-only with exceptions', name: 'BusyBox GPL' }],
      relationships: [
        { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: 'SPDXRef-DocumentRoot-Image-alpine-3.19', relationshipType: 'DESCRIBES' },
        { spdxElementId: 'SPDXRef-DocumentRoot-Image-alpine-3.19', relatedSpdxElement: 'SPDXRef-Package-apk-busybox-4d0c3f1a2b5e6d7c', relationshipType: 'CONTAINS' },
      ],
    };
    const read = parseSbom(JSON.stringify(doc), 'alpine.spdx.json');
    expect(read.format).toBe('spdx');
    expect(read.specVersion).toBe('2.2');
    expect(read.artifact).toMatchObject({ name: 'alpine:3.19', digest: 'sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b' });
    expect(read.inventory.distro).toMatchObject({ family: 'alpine', version: '3.19.1', ecosystem: 'Alpine:v3.19' });
    expect(read.inventory.packages).toEqual([
      expect.objectContaining({
        name: 'busybox',
        version: '1.36.1-r15',
        ecosystem: 'Alpine:v3.19',
        source: { name: 'busybox', version: '1.36.1-r15' },
        paths: ['lib/apk/db/installed'],
        cpe: 'cpe:2.3:a:busybox:busybox:1.36.1-r15:*:*:*:*:*:*:*',
        licenses: ['GPL-2.0-only'],
      }),
      expect.objectContaining({ name: 'ssl_client', source: { name: 'busybox', version: '1.36.1-r15' }, licenses: ['BusyBox GPL', 'MIT'] }),
    ]);
  });

  it('SPDX tag-value', () => {
    const text = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: web-app
DocumentNamespace: https://spdx.org/spdxdocs/web-app-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
Creator: Tool: example-sbom-tool-2.0
Created: 2026-11-20T09:12:44Z

PackageName: urllib3
SPDXID: SPDXRef-Package-urllib3
PackageVersion: 2.0.6
PackageDownloadLocation: https://pypi.org/project/urllib3/2.0.6/
FilesAnalyzed: false
PackageLicenseDeclared: MIT
PackageComment: <text>HTTP library with thread-safe connection pooling,
file post, and more.</text>
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/urllib3@2.0.6
ExternalRef: SECURITY cpe23Type cpe:2.3:a:python:urllib3:2.0.6:*:*:*:*:python:*:*

PackageName: lodash
SPDXID: SPDXRef-Package-lodash
PackageVersion: 4.17.20
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:npm/lodash@4.17.20

FileName: ./app/main.py
SPDXID: SPDXRef-File-main
FileChecksum: SHA1: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-urllib3
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-lodash
`;
    const read = parseSbom(text, 'app.spdx');
    expect(read.format).toBe('spdx');
    expect(read.artifact.name).toBe('web-app');
    expect(read.inventory.packages.map((p) => [p.ecosystem, p.name, p.version, p.cpe ?? null, p.licenses ?? []])).toEqual([
      ['PyPI', 'urllib3', '2.0.6', 'cpe:2.3:a:python:urllib3:2.0.6:*:*:*:*:python:*:*', ['MIT']],
      ['npm', 'lodash', '4.17.20', null, []],
    ]);
  });

  it('OS packages with no release anywhere are kept, with a warning that says why they will not match', () => {
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.4', components: [{ type: 'library', name: 'libc6', version: '2.36-9', purl: 'pkg:deb/debian/libc6@2.36-9' }] };
    const read = parseSbom(JSON.stringify(bom));
    expect(read.inventory.packages[0]).toMatchObject({ ecosystem: 'Debian', source: { name: 'libc6', version: '2.36-9' } });
    expect(read.warnings[0]).toMatch(/deb packages name no distribution release/);
    // …but an operating-system component supplies it.
    const withOs = { ...bom, components: [...bom.components, { type: 'operating-system', name: 'debian', version: '12.8' }] };
    expect(parseSbom(JSON.stringify(withOs)).inventory.packages[0]!.ecosystem).toBe('Debian:12');
  });
});

describe('bad input gets a clear error', () => {
  const fail = (text: string) => {
    try {
      parseSbom(text, 'in.json');
    } catch (e) {
      expect(isStrataError(e)).toBe(true);
      return e as StrataError;
    }
    throw new Error('expected an error');
  };

  it('names what is wrong and where', () => {
    expect(fail('').message).toBe('path in.json: the SBOM is empty');
    expect(fail('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [').code).toBe('corrupt');
    expect(fail('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [').message).toMatch(/^path in\.json: not valid JSON/);
    expect(fail('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>').message).toContain('XML SBOMs are not supported');
    expect(fail('{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}').message).toContain('SPDX 3');
    expect(fail('{"name": "package.json"}').code).toBe('unsupported');
    expect(fail('{"bomFormat": "CycloneDX", "specVersion": "2.0"}').message).toContain('CycloneDX specVersion 2.0 is not supported');
    expect(fail('{"spdxVersion": "SPDX-3.0"}').code).toBe('unsupported');
    expect(fail('hello').code).toBe('unsupported');
  });

  it('skips unusable components and keeps the rest', () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      components: [
        'not an object',
        { type: 'library', name: 'broken', purl: 'pkg:' },
        { type: 'library', name: 'noversion', purl: 'pkg:npm/noversion' },
        { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', properties: 'wrong type', licenses: [7] },
      ],
    };
    const read = parseSbom(JSON.stringify(bom), 'in.json');
    expect(read.inventory.packages.map((p) => p.name)).toEqual(['left-pad']);
    expect(read.inventory.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^component "broken" \(components\[1\]\): invalid package URL "pkg:"/) as unknown,
      'component "noversion" (components[2]): no version',
    ]);
    expect(read.warnings).toContain('components[0] is not an object; skipped');
  });

  it('files: missing, a directory, too large', async () => {
    await expect(readSbomFile(path.join(tmp, 'nope.json'))).rejects.toMatchObject({ code: 'not-found', where: { path: path.join(tmp, 'nope.json') } });
    await expect(readSbomFile(tmp)).rejects.toMatchObject({ code: 'io' });
    const file = path.join(tmp, 'ok.cdx.json');
    writeFileSync(file, renderCycloneDx([alpineScan()]));
    expect((await readSbomFile(file)).inventory.packages).toHaveLength(1);
    expect(MAX_SBOM_BYTES).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it('never crashes on arbitrary JSON shaped like an SBOM (property-based)', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    const component = fc.record(
      { type: fc.constantFrom('library', 'application', 'operating-system', 'file', 7), name: fc.oneof(fc.string(), anyJson), version: fc.oneof(fc.string(), anyJson), purl: fc.oneof(fc.constantFrom('pkg:deb/debian/a@1?distro=debian-12', 'pkg:npm/x@1', 'pkg:rpm/redhat/x@1?epoch=2', 'pkg:golang/stdlib@go1.2'), fc.string(), anyJson), properties: fc.oneof(fc.array(fc.record({ name: fc.string(), value: fc.oneof(fc.string(), anyJson) })), anyJson), licenses: anyJson, components: anyJson },
      { requiredKeys: [] },
    );
    const cdx = fc.record({ bomFormat: fc.constant('CycloneDX'), specVersion: fc.constantFrom('1.4', '1.5', '1.6'), metadata: fc.oneof(anyJson, fc.record({ component })), components: fc.oneof(fc.array(component), anyJson) });
    const spdxPkg = fc.record({ SPDXID: fc.oneof(fc.string(), anyJson), name: fc.oneof(fc.string(), anyJson), versionInfo: fc.oneof(fc.string(), anyJson), externalRefs: fc.oneof(fc.array(fc.record({ referenceType: fc.constantFrom('purl', 'cpe23Type'), referenceLocator: fc.oneof(fc.string(), anyJson) })), anyJson), licenseDeclared: fc.oneof(fc.string(), anyJson), annotations: anyJson }, { requiredKeys: [] });
    const spdx = fc.record({ spdxVersion: fc.constantFrom('SPDX-2.2', 'SPDX-2.3'), packages: fc.oneof(fc.array(spdxPkg), anyJson), relationships: anyJson, hasExtractedLicensingInfos: anyJson, documentDescribes: anyJson });
    fc.assert(
      fc.property(fc.oneof(cdx, spdx), (doc) => {
        try {
          const read = parseSbom(JSON.stringify(doc), 'fuzz.json');
          for (const p of read.inventory.packages) {
            expect(typeof p.name).toBe('string');
            expect(typeof p.version).toBe('string');
            expect(typeof p.ecosystem).toBe('string');
          }
        } catch (e) {
          if (!isStrataError(e)) throw e;
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        try {
          parseSbom(`SPDXVersion: SPDX-2.3\n${text}`);
        } catch (e) {
          if (!isStrataError(e)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('licence expressions', () => {
  it('splits top-level AND terms only', () => {
    expect(splitAnd('LGPL-2.1-or-later AND GPL-2.0-or-later')).toEqual(['LGPL-2.1-or-later', 'GPL-2.0-or-later']);
    expect(splitAnd('LicenseRef-X AND (MIT OR Apache-2.0)')).toEqual(['LicenseRef-X', 'MIT OR Apache-2.0']);
    expect(splitAnd('(MIT AND BSD-2-Clause) OR Apache-2.0')).toEqual(['(MIT AND BSD-2-Clause) OR Apache-2.0']);
  });
});
