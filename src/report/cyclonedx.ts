/**
 * CycloneDX 1.6 JSON, built with the OWASP CycloneDX library: the image (or
 * root filesystem) as the metadata component, its OS as an operating-system
 * component, every package as a library component with purl, CPE, licences
 * and `strata:` properties (layer diffID, paths, source package), and — unless
 * this is an SBOM-only run — the findings as `vulnerabilities[]` with ratings,
 * affects and, for findings a VEX statement suppressed, the analysis.
 */
import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec, Types } from '@cyclonedx/cyclonedx-library';
import type { Finding, Suppressed } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { ScanResult } from '../core/result.js';
import {
  compareStrings,
  firstLine,
  isOsEcosystem,
  layerByDiffId,
  ociPurl,
  primaryUrl,
  severityFromScore,
  sortedFindings,
  sortedPackages,
  vulnerabilitySource,
} from './common.js';
import { classifyLicense } from './licenses.js';
import { STRATA_TOOL, type ToolInfo } from './tool.js';

export interface CycloneDxOptions {
  /** Leave out `vulnerabilities` (the `strata sbom` command). */
  sbomOnly?: boolean;
  now?: Date;
  /** `urn:uuid:…`; random by default. */
  serialNumber?: string;
  tool?: ToolInfo;
}

/** Property names Strata writes (and src/sbom reads back). */
export const CDX_PROPERTY = {
  ecosystem: 'strata:package:ecosystem',
  kind: 'strata:package:kind',
  foundBy: 'strata:package:foundBy',
  sourceName: 'strata:package:sourceName',
  sourceVersion: 'strata:package:sourceVersion',
  ownedBy: 'strata:package:ownedBy',
  path: 'strata:package:path',
  metadataPrefix: 'strata:package:metadata:',
  layerDiffId: 'strata:layer:diffId',
  layerDigest: 'strata:layer:digest',
  imageDigest: 'strata:image:digest',
  imageConfigDigest: 'strata:image:configDigest',
  imageRepoTag: 'strata:image:repoTag',
  osEcosystem: 'strata:os:ecosystem',
  osCodename: 'strata:os:codename',
  osVariant: 'strata:os:variant',
  status: 'strata:finding:status',
  kevDateAdded: 'strata:kev:dateAdded',
  epssScore: 'strata:epss:score',
  epssPercentile: 'strata:epss:percentile',
} as const;

const { ComponentType } = Enums;
const V = Enums.Vulnerability;

const CVSS_METHOD: Record<string, Enums.Vulnerability.RatingMethod> = {
  '2.0': V.RatingMethod.CVSSv2,
  '3.0': V.RatingMethod.CVSSv3,
  '3.1': V.RatingMethod.CVSSv31,
  '4.0': V.RatingMethod.CVSSv4,
};

const CDX_SEVERITY: Record<string, Enums.Vulnerability.Severity> = {
  CRITICAL: V.Severity.Critical,
  HIGH: V.Severity.High,
  MEDIUM: V.Severity.Medium,
  LOW: V.Severity.Low,
  UNKNOWN: V.Severity.Unknown,
};

/**
 * OpenVEX justifications in CycloneDX's words (CycloneDX VEX input already
 * uses them and passes through).
 */
const JUSTIFICATION: Record<string, Enums.Vulnerability.AnalysisJustification> = {
  component_not_present: V.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_present: V.AnalysisJustification.CodeNotPresent,
  vulnerable_code_not_in_execute_path: V.AnalysisJustification.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: V.AnalysisJustification.ProtectedByMitigatingControl,
  inline_mitigations_already_exist: V.AnalysisJustification.ProtectedByMitigatingControl,
};

function cdxJustification(j: string | undefined): Enums.Vulnerability.AnalysisJustification | undefined {
  if (!j) return undefined;
  if (j in JUSTIFICATION) return JUSTIFICATION[j];
  const values = Object.values(V.AnalysisJustification) as string[];
  return values.includes(j) ? (j as Enums.Vulnerability.AnalysisJustification) : undefined;
}

/** bom-refs must be unique in the whole BOM; the same purl can occur twice (two paths, two images). */
class BomRefs {
  readonly #used = new Set<string>();
  take(wanted: string): string {
    let ref = wanted;
    for (let n = 2; this.#used.has(ref); n++) ref = `${wanted}#${n}`;
    this.#used.add(ref);
    return ref;
  }
}

function addLicenses(target: Models.LicenseRepository, licenses: readonly string[]): void {
  const classes = licenses.map(classifyLicense);
  // CycloneDX allows one expression or a list of licences, never both.
  if (classes.length === 1 && classes[0]!.kind === 'expression') {
    target.add(new Models.LicenseExpression(classes[0]!.expression));
    return;
  }
  for (const c of classes) {
    if (c.kind === 'id') target.add(new Models.SpdxLicense(c.id));
    else target.add(new Models.NamedLicense(c.kind === 'name' ? c.name : c.expression));
  }
}

function nameAndGroup(p: Package): { name: string; group?: string } {
  // CycloneDX convention: Maven groupId and npm scope go to `group`.
  if (p.ecosystem === 'Maven' && p.name.includes(':')) {
    const i = p.name.indexOf(':');
    return { group: p.name.slice(0, i), name: p.name.slice(i + 1) };
  }
  if (p.ecosystem === 'npm' && p.name.startsWith('@') && p.name.includes('/')) {
    const i = p.name.indexOf('/');
    return { group: p.name.slice(0, i), name: p.name.slice(i + 1) };
  }
  return { name: p.name };
}

function packageComponent(result: ScanResult, p: Package, refs: BomRefs): Models.Component {
  const { name, group } = nameAndGroup(p);
  const c = new Models.Component(ComponentType.Library, name, {
    bomRef: refs.take(p.purl),
    version: p.version,
    purl: p.purl,
    ...(group ? { group } : {}),
  });
  if (p.cpe && Types.isCPE(p.cpe)) c.cpe = p.cpe;
  addLicenses(c.licenses, p.licenses ?? []);
  const prop = (n: string, v: string | undefined) => {
    if (v !== undefined && v !== '') c.properties.add(new Models.Property(n, v));
  };
  prop(CDX_PROPERTY.ecosystem, p.ecosystem);
  prop(CDX_PROPERTY.kind, p.kind);
  prop(CDX_PROPERTY.foundBy, p.foundBy);
  prop(CDX_PROPERTY.sourceName, p.source?.name);
  prop(CDX_PROPERTY.sourceVersion, p.source?.version);
  if (p.ownedBy) prop(CDX_PROPERTY.ownedBy, `${p.ownedBy.ecosystem}/${p.ownedBy.name}`);
  prop(CDX_PROPERTY.layerDiffId, p.layer);
  prop(CDX_PROPERTY.layerDigest, layerByDiffId(result, p.layer)?.digest);
  for (const path of p.paths) prop(CDX_PROPERTY.path, path);
  for (const [k, v] of Object.entries(p.metadata ?? {})) prop(`${CDX_PROPERTY.metadataPrefix}${k}`, String(v));
  return c;
}

function rootComponent(result: ScanResult, refs: BomRefs): Models.Component {
  const a = result.artifact;
  const purl = ociPurl(result);
  const type = a.type === 'container_image' ? ComponentType.Container : ComponentType.Application;
  const c = new Models.Component(type, a.name, { bomRef: refs.take(purl ?? `strata:artifact:${a.name}`), ...(purl ? { purl } : {}) });
  const prop = (n: string, v: string | undefined) => {
    if (v) c.properties.add(new Models.Property(n, v));
  };
  prop(CDX_PROPERTY.imageDigest, a.digest);
  prop(CDX_PROPERTY.imageConfigDigest, a.configDigest);
  for (const t of a.repoTags ?? []) prop(CDX_PROPERTY.imageRepoTag, t);
  for (const l of result.layers) prop(CDX_PROPERTY.layerDiffId, l.diffId);
  return c;
}

function osComponent(result: ScanResult, refs: BomRefs): Models.Component | undefined {
  const os = result.os;
  if (!os) return undefined;
  const c = new Models.Component(ComponentType.OperatingSystem, os.family, {
    bomRef: refs.take(`strata:os:${os.family}@${os.version}`),
    version: os.version,
    ...(os.name ? { description: os.name } : {}),
  });
  c.properties.add(new Models.Property(CDX_PROPERTY.osEcosystem, os.ecosystem));
  if (os.codename) c.properties.add(new Models.Property(CDX_PROPERTY.osCodename, os.codename));
  if (os.variant) c.properties.add(new Models.Property(CDX_PROPERTY.osVariant, os.variant));
  return c;
}

interface Scanned {
  root: Models.Component;
  /** Component of each package, by purl and first path (as findings name their package). */
  byPackage: Map<string, Models.Component>;
  all: Models.Component[];
}

const packageKey = (purl: string, path: string | undefined) => `${purl}\u0000${path ?? ''}`;

function addScan(result: ScanResult, refs: BomRefs): Scanned {
  const root = rootComponent(result, refs);
  const os = osComponent(result, refs);
  const all: Models.Component[] = [];
  const byPackage = new Map<string, Models.Component>();
  if (os) {
    all.push(os);
    root.dependencies.add(os.bomRef);
  }
  for (const p of sortedPackages(result.packages)) {
    const c = packageComponent(result, p, refs);
    all.push(c);
    byPackage.set(packageKey(p.purl, p.paths[0]), c);
    if (!byPackage.has(packageKey(p.purl, undefined))) byPackage.set(packageKey(p.purl, undefined), c);
    (p.kind === 'os' && os ? os : root).dependencies.add(c.bomRef);
  }
  return { root, byPackage, all };
}

function componentFor(scan: Scanned, result: ScanResult, f: Finding, refs: BomRefs, bom: Models.Bom, nested: boolean): Models.Component {
  const found = scan.byPackage.get(packageKey(f.package.purl, f.package.paths[0])) ?? scan.byPackage.get(packageKey(f.package.purl, undefined));
  if (found) return found;
  // A finding about a package the inventory did not list: describe it from the finding.
  const p: Package = { ...f.package, kind: isOsEcosystem(f.package.ecosystem) ? 'os' : 'lang', foundBy: 'match' };
  const c = packageComponent(result, p, refs);
  scan.byPackage.set(packageKey(p.purl, p.paths[0]), c);
  if (nested) scan.root.components.add(c);
  else bom.components.add(c);
  scan.root.dependencies.add(c.bomRef);
  return c;
}

function ratings(findings: readonly Finding[]): Models.Vulnerability.Rating[] {
  const out: Models.Vulnerability.Rating[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    for (const c of f.cvss) {
      const key = `${c.source}|${c.version}|${c.vector}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        new Models.Vulnerability.Rating({
          source: new Models.Vulnerability.Source({ name: c.source }),
          ...(c.score !== undefined ? { score: c.score, severity: CDX_SEVERITY[severityFromScore(c.score)] } : {}),
          method: CVSS_METHOD[c.version] ?? V.RatingMethod.Other,
          vector: c.vector,
        }),
      );
    }
    // The severity Strata chose, when its source gave a rating rather than a CVSS vector (a distro's own word).
    const key = `${f.severitySource}|rating|${f.severity}`;
    if (!seen.has(key) && !f.cvss.some((c) => c.source === f.severitySource)) {
      seen.add(key);
      out.push(
        new Models.Vulnerability.Rating({
          source: new Models.Vulnerability.Source({ name: f.severitySource }),
          severity: CDX_SEVERITY[f.severity],
          method: V.RatingMethod.Other,
        }),
      );
    }
  }
  return out;
}

function vulnerability(
  id: string,
  findings: readonly Finding[],
  componentOf: (f: Finding) => Models.Component,
  refs: BomRefs,
  analysis?: { suppressed: Suppressed },
): Models.Vulnerability.Vulnerability {
  const first = findings[0]!;
  const src = vulnerabilitySource(id);
  const v = new Models.Vulnerability.Vulnerability({
    bomRef: refs.take(analysis ? `strata:vex:${id}` : `strata:vulnerability:${id}`),
    id,
    source: new Models.Vulnerability.Source({ name: src.name, url: src.url }),
    ...(first.description || first.title ? { description: (first.description ?? first.title)!.trim() } : {}),
    ...(first.title && first.description ? { detail: firstLine(first.title) } : {}),
  });
  for (const alias of [...new Set(findings.flatMap((f) => f.aliases))].sort(compareStrings)) {
    const s = vulnerabilitySource(alias);
    v.references.add(new Models.Vulnerability.Reference(alias, new Models.Vulnerability.Source({ name: s.name, url: s.url })));
  }
  for (const r of ratings(findings)) v.ratings.add(r);
  const urls = new Set([primaryUrl(id, first.references), ...findings.flatMap((f) => f.references ?? [])]);
  for (const url of urls) if (/^https?:\/\//.test(url)) v.advisories.add(new Models.Vulnerability.Advisory(url));
  if (first.published && !Number.isNaN(Date.parse(first.published))) v.published = new Date(first.published);
  const fixes = [...new Set(findings.filter((f) => f.fixedVersion).map((f) => `${f.package.name} to ${f.fixedVersion}`))];
  if (fixes.length && !analysis) v.recommendation = `Upgrade ${fixes.join(', ')}.`;
  for (const f of findings) {
    const c = componentOf(f);
    v.affects.add(
      new Models.Vulnerability.Affect(c.bomRef, {
        versions: new Models.Vulnerability.AffectedVersionRepository([
          new Models.Vulnerability.AffectedSingleVersion(f.package.version, {
            status: analysis ? V.AffectStatus.Unaffected : V.AffectStatus.Affected,
          }),
        ]),
      }),
    );
  }
  const statuses = new Set(findings.map((f) => f.status));
  if (statuses.size === 1 && !analysis) v.properties.add(new Models.Property(CDX_PROPERTY.status, first.status));
  if (first.kev) v.properties.add(new Models.Property(CDX_PROPERTY.kevDateAdded, first.kev.dateAdded));
  if (first.epss) {
    v.properties.add(new Models.Property(CDX_PROPERTY.epssScore, String(first.epss.score)));
    v.properties.add(new Models.Property(CDX_PROPERTY.epssPercentile, String(first.epss.percentile)));
  }
  if (analysis) {
    const s = analysis.suppressed;
    const fixed = s.vex ? s.vex.status === 'fixed' : /\bfixed\b/.test(s.reason);
    const justification = fixed ? undefined : cdxJustification(s.vex?.justification);
    v.analysis = new Models.Vulnerability.Analysis({
      state: fixed ? V.AnalysisState.Resolved : V.AnalysisState.NotAffected,
      ...(justification ? { justification } : {}),
      detail: [s.reason, s.statement ? `(statement ${s.statement})` : ''].filter(Boolean).join(' '),
    });
  }
  return v;
}

function addVulnerabilities(bom: Models.Bom, result: ScanResult, scan: Scanned, refs: BomRefs, nested: boolean): void {
  const componentOf = (f: Finding) => componentFor(scan, result, f, refs, bom, nested);
  const byId = new Map<string, Finding[]>();
  for (const f of sortedFindings(result.findings)) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  for (const id of [...byId.keys()].sort(compareStrings)) bom.vulnerabilities.add(vulnerability(id, byId.get(id)!, componentOf, refs));
  // VEX-suppressed findings stay in the SBOM with the analysis that removed them; other filters just filter.
  for (const s of result.suppressed) {
    if (s.by !== 'vex') continue;
    bom.vulnerabilities.add(vulnerability(s.finding.id, [s.finding], componentOf, refs, { suppressed: s }));
  }
}

/** The CycloneDX BOM model for one or more scans. */
export function buildCycloneDx(results: readonly ScanResult[], options: CycloneDxOptions = {}): Models.Bom {
  const tool = options.tool ?? STRATA_TOOL;
  const refs = new BomRefs();
  const bom = new Models.Bom({ serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}` });
  bom.metadata.timestamp = options.now ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(ComponentType.Application, tool.name, {
      version: tool.version,
      ...(tool.url ? { externalReferences: new Models.ExternalReferenceRepository([new Models.ExternalReference(tool.url, Enums.ExternalReferenceType.Website)]) } : {}),
    }),
  );

  if (results.length === 1) {
    const result = results[0]!;
    const scan = addScan(result, refs);
    bom.metadata.component = scan.root;
    for (const c of scan.all) bom.components.add(c);
    if (!options.sbomOnly) addVulnerabilities(bom, result, scan, refs, false);
    return bom;
  }

  // Several artifacts: each becomes a component holding its own packages, under one scan component.
  const top = new Models.Component(ComponentType.Application, `strata scan of ${results.length} artifacts`, {
    bomRef: refs.take('strata:scan'),
  });
  bom.metadata.component = top;
  for (const result of results) {
    const scan = addScan(result, refs);
    for (const c of scan.all) scan.root.components.add(c);
    bom.components.add(scan.root);
    top.dependencies.add(scan.root.bomRef);
    if (!options.sbomOnly) addVulnerabilities(bom, result, scan, refs, true);
  }
  return bom;
}

export function renderCycloneDx(results: readonly ScanResult[], options: CycloneDxOptions = {}): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  // Insertion order is already deterministic (sorted packages and findings) and keeps each package's paths in order.
  return serializer.serialize(buildCycloneDx(results, options), { sortLists: false, space: 2 }) + '\n';
}
