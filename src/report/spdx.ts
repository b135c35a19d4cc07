/**
 * SPDX 2.3 JSON (own types: no SPDX document library exists on npm). The
 * image is a CONTAINER package the document DESCRIBES; it CONTAINS its
 * operating system, which CONTAINS the OS packages, and the language
 * packages. Each package carries its purl (PACKAGE-MANAGER) and CPE
 * (SECURITY) as external references; what SPDX 2.3 has no field for (layer
 * diffID, paths, source package, ecosystem) goes into annotations as
 * `key: value`, with the same keys as the CycloneDX properties, so
 * src/sbom can read it back.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Package } from '../core/package.js';
import type { ScanResult } from '../core/result.js';
import { layerByDiffId, ociPurl, sortedPackages } from './common.js';
import { CDX_PROPERTY } from './cyclonedx.js';
import { classifyLicense, licenseRefFor } from './licenses.js';
import { STRATA_TOOL, type ToolInfo } from './tool.js';

export interface SpdxOptions {
  now?: Date;
  /** UUID part of documentNamespace; random by default (the spec wants one namespace per document version). */
  uuid?: string;
  tool?: ToolInfo;
}

export type SpdxPurpose =
  | 'APPLICATION'
  | 'FRAMEWORK'
  | 'LIBRARY'
  | 'CONTAINER'
  | 'OPERATING-SYSTEM'
  | 'DEVICE'
  | 'FIRMWARE'
  | 'SOURCE'
  | 'ARCHIVE'
  | 'FILE'
  | 'INSTALL'
  | 'OTHER';

export interface SpdxExternalRef {
  referenceCategory: 'SECURITY' | 'PACKAGE-MANAGER' | 'PERSISTENT-ID' | 'OTHER';
  referenceType: string;
  referenceLocator: string;
  comment?: string;
}

export interface SpdxAnnotation {
  annotator: string;
  annotationDate: string;
  annotationType: 'REVIEW' | 'OTHER';
  comment: string;
}

export interface SpdxPackage {
  name: string;
  SPDXID: string;
  versionInfo?: string;
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: boolean;
  licenseConcluded?: string;
  licenseDeclared?: string;
  copyrightText?: string;
  sourceInfo?: string;
  description?: string;
  externalRefs?: SpdxExternalRef[];
  primaryPackagePurpose?: SpdxPurpose;
  annotations?: SpdxAnnotation[];
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: 'DESCRIBES' | 'CONTAINS' | 'DEPENDS_ON' | 'OTHER';
  relatedSpdxElement: string;
  comment?: string;
}

export interface SpdxExtractedLicense {
  licenseId: string;
  extractedText: string;
  name?: string;
  comment?: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; comment?: string };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
}

/** SPDX wants `YYYY-MM-DDThh:mm:ssZ`: no fractional seconds. */
export function spdxDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `SPDXRef-<kind>-<readable>-<hash>`: letters, digits, `.` and `-` only; the hash keeps ids unique. */
function spdxId(kind: string, readable: string, identity: string): string {
  const slug = readable.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `SPDXRef-${kind}-${slug ? `${slug}-` : ''}${hash}`;
}

class Licenses {
  readonly extracted = new Map<string, SpdxExtractedLicense>();

  /** The declared-licence expression for a package (or NOASSERTION). */
  declared(licenses: readonly string[]): string {
    if (licenses.length === 0) return 'NOASSERTION';
    const parts = licenses.map((text) => {
      const c = classifyLicense(text);
      if (c.kind === 'id') return c.id;
      if (c.kind === 'expression') {
        for (const ref of c.expression.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) this.define(ref, ref);
        return licenses.length > 1 ? `(${c.expression})` : c.expression;
      }
      const ref = licenseRefFor(c.name);
      this.define(ref, c.name);
      return ref;
    });
    return [...new Set(parts)].join(' AND ');
  }

  private define(licenseId: string, name: string): void {
    // The licence text itself is not in the image metadata Strata reads; the name is all there is.
    if (!this.extracted.has(licenseId)) this.extracted.set(licenseId, { licenseId, extractedText: name, name });
  }
}

function annotationsOf(facts: Array<[string, string | undefined]>, annotator: string, date: string): SpdxAnnotation[] {
  return facts
    .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
    .map(([k, v]) => ({ annotator, annotationDate: date, annotationType: 'OTHER' as const, comment: `${k}: ${v}` }));
}

function packageEntry(result: ScanResult, p: Package, id: string, licenses: Licenses, annotator: string, date: string): SpdxPackage {
  const externalRefs: SpdxExternalRef[] = [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }];
  if (p.cpe) externalRefs.push({ referenceCategory: 'SECURITY', referenceType: p.cpe.startsWith('cpe:2.3:') ? 'cpe23Type' : 'cpe22Type', referenceLocator: p.cpe });
  const facts: Array<[string, string | undefined]> = [
    [CDX_PROPERTY.ecosystem, p.ecosystem],
    [CDX_PROPERTY.kind, p.kind],
    [CDX_PROPERTY.foundBy, p.foundBy],
    [CDX_PROPERTY.sourceName, p.source?.name],
    [CDX_PROPERTY.sourceVersion, p.source?.version],
    [CDX_PROPERTY.ownedBy, p.ownedBy ? `${p.ownedBy.ecosystem}/${p.ownedBy.name}` : undefined],
    [CDX_PROPERTY.layerDiffId, p.layer],
    [CDX_PROPERTY.layerDigest, layerByDiffId(result, p.layer)?.digest],
    ...p.paths.map((path): [string, string] => [CDX_PROPERTY.path, path]),
    ...Object.entries(p.metadata ?? {}).map(([k, v]): [string, string] => [`${CDX_PROPERTY.metadataPrefix}${k}`, String(v)]),
  ];
  return {
    name: p.name,
    SPDXID: id,
    versionInfo: p.version,
    supplier: 'NOASSERTION',
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: licenses.declared(p.licenses ?? []),
    copyrightText: 'NOASSERTION',
    ...(p.paths.length ? { sourceInfo: `acquired package info from ${p.foundBy}: ${p.paths.join(', ')}` } : {}),
    externalRefs,
    primaryPackagePurpose: 'LIBRARY',
    annotations: annotationsOf(facts, annotator, date),
  };
}

/** The SPDX 2.3 document for one or more scans. */
export function buildSpdx(results: readonly ScanResult[], options: SpdxOptions = {}): SpdxDocument {
  const tool = options.tool ?? STRATA_TOOL;
  const date = spdxDate(options.now ?? new Date());
  const annotator = `Tool: ${tool.name}-${tool.version}`;
  const licenses = new Licenses();
  const packages: SpdxPackage[] = [];
  const relationships: SpdxRelationship[] = [];
  const used = new Set<string>();
  const uniqueId = (kind: string, readable: string, identity: string) => {
    let id = spdxId(kind, readable, identity);
    for (let n = 2; used.has(id); n++) id = spdxId(kind, readable, `${identity}\u0000${n}`);
    used.add(id);
    return id;
  };

  results.forEach((result, index) => {
    const a = result.artifact;
    const rootId = uniqueId(a.type === 'container_image' ? 'Image' : 'Artifact', a.name, `${index}\u0000${a.name}\u0000${a.digest ?? ''}`);
    const purl = ociPurl(result);
    packages.push({
      name: a.name,
      SPDXID: rootId,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER' as const, referenceType: 'purl', referenceLocator: purl }] } : {}),
      primaryPackagePurpose: a.type === 'container_image' ? 'CONTAINER' : a.type === 'rootfs' ? 'OPERATING-SYSTEM' : 'OTHER',
      annotations: annotationsOf(
        [
          [CDX_PROPERTY.imageDigest, a.digest],
          [CDX_PROPERTY.imageConfigDigest, a.configDigest],
          ...(a.repoTags ?? []).map((t): [string, string] => [CDX_PROPERTY.imageRepoTag, t]),
          ...result.layers.map((l): [string, string] => [CDX_PROPERTY.layerDiffId, l.diffId]),
        ],
        annotator,
        date,
      ),
    });
    relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId });

    let osId: string | undefined;
    if (result.os) {
      const os = result.os;
      osId = uniqueId('OperatingSystem', `${os.family}-${os.version}`, `${index}\u0000${os.ecosystem}`);
      packages.push({
        name: os.family,
        SPDXID: osId,
        versionInfo: os.version,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        ...(os.name ? { description: os.name } : {}),
        primaryPackagePurpose: 'OPERATING-SYSTEM',
        annotations: annotationsOf(
          [
            [CDX_PROPERTY.osEcosystem, os.ecosystem],
            [CDX_PROPERTY.osCodename, os.codename],
            [CDX_PROPERTY.osVariant, os.variant],
          ],
          annotator,
          date,
        ),
      });
      relationships.push({ spdxElementId: rootId, relationshipType: 'CONTAINS', relatedSpdxElement: osId });
    }

    for (const p of sortedPackages(result.packages)) {
      const id = uniqueId('Package', `${p.name}-${p.version}`, `${index}\u0000${p.purl}\u0000${p.paths.join('\u0000')}`);
      packages.push(packageEntry(result, p, id, licenses, annotator, date));
      relationships.push({ spdxElementId: p.kind === 'os' && osId ? osId : rootId, relationshipType: 'CONTAINS', relatedSpdxElement: id });
    }
  });

  const first = results[0]?.artifact.name ?? 'empty';
  const docName = results.length === 1 ? first : `${first} and ${results.length - 1} more`;
  const slug = docName.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  const doc: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: docName,
    // The spec's advice for creators without their own site: spdx.org/spdxdocs/<name>-<uuid>.
    documentNamespace: `https://spdx.org/spdxdocs/${tool.name}-${slug}-${options.uuid ?? randomUUID()}`,
    creationInfo: { created: date, creators: [annotator] },
    packages,
    relationships,
  };
  if (licenses.extracted.size) doc.hasExtractedLicensingInfos = [...licenses.extracted.values()];
  return doc;
}

export function renderSpdx(results: readonly ScanResult[], options: SpdxOptions = {}): string {
  return JSON.stringify(buildSpdx(results, options), null, 2) + '\n';
}
