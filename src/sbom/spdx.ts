/**
 * Reads SPDX 2.2/2.3 documents (JSON, and tag-value converted to the same
 * shape) into the neutral SbomDocument: packages with purl/CPE external
 * references, declared licences (LicenseRefs resolved to their names), and
 * `key: value` annotations as properties (Strata's own keys, and Trivy's,
 * which it writes the same way).
 */
import { StrataError } from '../core/errors.js';
import { addProp, type SbomComponent, type SbomDocument } from './document.js';

const SUPPORTED = new Set(['SPDX-2.2', 'SPDX-2.3']);
const READABLE = new Set(['SPDX-2.0', 'SPDX-2.1']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Splits `A AND (B OR C)` into its top-level AND terms: a list of licences that all apply. */
export function splitAnd(expression: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  const s = expression.trim();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && s.startsWith(' AND ', i)) {
      terms.push(s.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  terms.push(s.slice(start));
  return terms.map((t) => {
    const x = t.trim();
    return x.startsWith('(') && x.endsWith(')') && balanced(x.slice(1, -1)) ? x.slice(1, -1).trim() : x;
  });
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Where Syft-style `sourceInfo` names files: `acquired package info from <cataloger>: /a, /b`. */
function pathsFromSourceInfo(sourceInfo: string | undefined): string[] {
  const m = sourceInfo ? /^acquired package info from [^:]+: (.+)$/s.exec(sourceInfo.trim()) : null;
  return m ? m[1]!.split(/,\s*/).map((p) => p.trim()).filter(Boolean) : [];
}

function packageComponent(p: Json, extracted: Map<string, string>, at: string): SbomComponent {
  const props = new Map<string, string[]>();
  for (const a of arr(p.annotations)) {
    if (!isObject(a)) continue;
    const comment = str(a.comment);
    const m = comment ? /^([A-Za-z][\w.:-]*): (.*)$/s.exec(comment) : null;
    if (!m) continue;
    const key = m[1]!;
    // Trivy writes `LayerDiffID: …`, `SrcName: …` as annotations; file them under its CycloneDX property names.
    const trivy = !key.includes(':') && /^Tool: trivy/i.test(str(a.annotator) ?? '');
    addProp(props, trivy ? `aquasecurity:trivy:${key}` : key, m[2]!);
  }
  const purls: string[] = [];
  const cpes: string[] = [];
  for (const r of arr(p.externalRefs)) {
    if (!isObject(r)) continue;
    const type = str(r.referenceType);
    const locator = str(r.referenceLocator);
    if (!type || !locator) continue;
    if (type === 'purl') purls.push(locator);
    else if (type === 'cpe23Type' || type === 'cpe22Type') cpes.push(locator);
  }
  const licenses: string[] = [];
  for (const field of [str(p.licenseDeclared), str(p.licenseConcluded)]) {
    if (!field || field === 'NOASSERTION' || field === 'NONE') continue;
    for (const term of splitAnd(field)) licenses.push(extracted.get(term) ?? term);
    break;
  }
  const out: SbomComponent = {
    ref: str(p.SPDXID) ?? at,
    name: str(p.name) ?? '',
    type: str(p.primaryPackagePurpose)?.toLowerCase(),
    purls,
    cpes,
    licenses,
    props,
    occurrences: pathsFromSourceInfo(str(p.sourceInfo)),
    hasChildren: false,
  };
  const version = str(p.versionInfo);
  if (version) out.version = version;
  return out;
}

export function readSpdxJson(doc: Json, where: string): SbomDocument {
  const specVersion = str(doc.spdxVersion);
  if (!specVersion) throw new StrataError('corrupt', 'SPDX document without spdxVersion', { path: where });
  const warnings: string[] = [];
  if (!SUPPORTED.has(specVersion)) {
    if (!READABLE.has(specVersion)) throw new StrataError('unsupported', `${specVersion} is not supported (SPDX 2.x JSON and tag-value are)`, { path: where });
    warnings.push(`${specVersion} is older than the supported SPDX 2.2/2.3; read as 2.3`);
  }

  const extracted = new Map<string, string>();
  for (const l of arr(doc.hasExtractedLicensingInfos)) {
    if (!isObject(l)) continue;
    const id = str(l.licenseId);
    const name = str(l.name) ?? str(l.extractedText);
    if (id && name) extracted.set(id, name);
  }

  const packages = new Map<string, SbomComponent>();
  arr(doc.packages).forEach((raw, i) => {
    if (!isObject(raw)) {
      warnings.push(`packages[${i}] is not an object; skipped`);
      return;
    }
    const c = packageComponent(raw, extracted, `packages[${i}]`);
    packages.set(c.ref, c);
  });

  const described = new Set<string>(arr(doc.documentDescribes).filter((x): x is string => typeof x === 'string'));
  for (const r of arr(doc.relationships)) {
    if (!isObject(r)) continue;
    const type = str(r.relationshipType);
    const from = str(r.spdxElementId);
    const to = str(r.relatedSpdxElement);
    if (type === 'DESCRIBES' && from === 'SPDXRef-DOCUMENT' && to) described.add(to);
    if (type === 'DESCRIBED_BY' && to === 'SPDXRef-DOCUMENT' && from) described.add(from);
    if ((type === 'CONTAINS' || type === 'DEPENDS_ON') && from && packages.has(from)) packages.get(from)!.hasChildren = true;
  }

  const out: SbomDocument = { format: 'spdx', specVersion: specVersion.replace(/^SPDX-/, ''), operatingSystems: [], components: [], warnings };
  const name = str(doc.name);
  if (name) out.documentName = name;
  const subjects = [...described].map((id) => packages.get(id)).filter((c): c is SbomComponent => c !== undefined);
  if (subjects.length === 1) out.subject = subjects[0];
  // A described package that holds others (an image, a directory, an application with its
  // dependencies) is the SBOM's subject, not one of its packages; a document may also simply
  // describe the packages themselves.
  const isSubject = (c: SbomComponent) =>
    described.has(c.ref) &&
    (c.hasChildren || c.type === 'container' || c.purls.length === 0 || c.purls.every((p) => p.startsWith('pkg:oci/') || p.startsWith('pkg:docker/')));
  for (const c of packages.values()) {
    if (c.type === 'operating-system') out.operatingSystems.push(c);
    else if (!isSubject(c)) out.components.push(c);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Tag-value (clause 5 / annex of the spec): converted to the JSON shape.

/** Reads `Tag: value` lines and `<text>…</text>` blocks into (tag, value) pairs. */
function tagValuePairs(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*):\s?(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    if (value.trimStart().startsWith('<text>')) {
      value = value.trimStart().slice('<text>'.length);
      while (!value.includes('</text>') && i + 1 < lines.length) value += '\n' + lines[++i];
      value = value.slice(0, value.indexOf('</text>') >= 0 ? value.indexOf('</text>') : undefined);
    }
    pairs.push([m[1]!, value.trim()]);
  }
  return pairs;
}

export function tagValueToJson(text: string): Json {
  const doc: Json = { packages: [], relationships: [], hasExtractedLicensingInfos: [] };
  const packages = doc.packages as Json[];
  const relationships = doc.relationships as Json[];
  const licenses = doc.hasExtractedLicensingInfos as Json[];
  let pkg: Json | undefined;
  let license: Json | undefined;
  let inFile = false;
  let annotation: Json | undefined;
  const annotationsFor = new Map<string, Json[]>();

  for (const [tag, value] of tagValuePairs(text)) {
    switch (tag) {
      case 'SPDXVersion':
        doc.spdxVersion = value;
        break;
      case 'DocumentName':
        doc.name = value;
        break;
      case 'PackageName':
        pkg = { name: value, annotations: [] };
        packages.push(pkg);
        inFile = false;
        license = undefined;
        break;
      case 'FileName':
      case 'SnippetSPDXID':
        inFile = true;
        break;
      case 'SPDXID':
        if (pkg && !inFile && pkg.SPDXID === undefined) pkg.SPDXID = value;
        break;
      case 'PackageVersion':
        if (pkg && !inFile) pkg.versionInfo = value;
        break;
      case 'PackageLicenseDeclared':
        if (pkg && !inFile) pkg.licenseDeclared = value;
        break;
      case 'PackageLicenseConcluded':
        if (pkg && !inFile) pkg.licenseConcluded = value;
        break;
      case 'PrimaryPackagePurpose':
        if (pkg && !inFile) pkg.primaryPackagePurpose = value;
        break;
      case 'PackageSourceInfo':
        if (pkg && !inFile) pkg.sourceInfo = value;
        break;
      case 'ExternalRef': {
        const [category, type, locator] = value.split(/\s+/);
        if (pkg && !inFile && category && type && locator) {
          ((pkg.externalRefs ??= []) as Json[]).push({ referenceCategory: category, referenceType: type, referenceLocator: locator });
        }
        break;
      }
      case 'Relationship': {
        const [from, type, to] = value.split(/\s+/);
        if (from && type && to) relationships.push({ spdxElementId: from, relationshipType: type, relatedSpdxElement: to });
        break;
      }
      case 'LicenseID':
        license = { licenseId: value };
        licenses.push(license);
        break;
      case 'ExtractedText':
        if (license) license.extractedText = value;
        break;
      case 'LicenseName':
        if (license) license.name = value;
        break;
      case 'Annotator':
        annotation = { annotator: value };
        break;
      case 'SPDXREF':
        if (annotation) annotationsFor.set(value, [...(annotationsFor.get(value) ?? []), annotation]);
        break;
      case 'AnnotationComment':
        if (annotation) annotation.comment = value;
        break;
      default:
        break;
    }
  }
  for (const p of packages) {
    const id = typeof p.SPDXID === 'string' ? p.SPDXID : undefined;
    if (id) p.annotations = annotationsFor.get(id) ?? [];
  }
  return doc;
}
