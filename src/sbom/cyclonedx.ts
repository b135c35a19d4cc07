/**
 * Reads a CycloneDX JSON BOM (1.4–1.6; 1.2/1.3 and 1.7 with a warning) into
 * the neutral SbomDocument: every component, nested ones included, with
 * purl, CPE, licences, properties and evidence paths.
 */
import { StrataError } from '../core/errors.js';
import { addProp, type SbomComponent, type SbomDocument } from './document.js';

const SUPPORTED = new Set(['1.4', '1.5', '1.6']);
const READABLE = new Set(['1.2', '1.3', '1.7']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function licensesOf(c: Json): string[] {
  const out: string[] = [];
  for (const entry of arr(c.licenses)) {
    if (!isObject(entry)) continue;
    const expr = str(entry.expression);
    if (expr) {
      out.push(expr);
      continue;
    }
    const lic = entry.license;
    if (isObject(lic)) {
      const v = str(lic.id) ?? str(lic.name);
      if (v) out.push(v);
    }
  }
  return out;
}

function component(c: Json, fallbackRef: string): SbomComponent {
  const props = new Map<string, string[]>();
  for (const p of arr(c.properties)) {
    if (isObject(p) && typeof p.name === 'string' && typeof p.value === 'string') addProp(props, p.name, p.value);
  }
  const occurrences: string[] = [];
  const evidence = c.evidence;
  if (isObject(evidence)) {
    for (const o of arr(evidence.occurrences)) {
      const loc = isObject(o) ? str(o.location) : undefined;
      if (loc) occurrences.push(loc);
    }
  }
  const purl = str(c.purl);
  const cpe = str(c.cpe);
  const out: SbomComponent = {
    ref: str(c['bom-ref']) ?? fallbackRef,
    name: str(c.name) ?? '',
    type: str(c.type)?.toLowerCase(),
    purls: purl ? [purl] : [],
    cpes: cpe ? [cpe] : [],
    licenses: licensesOf(c),
    props,
    occurrences,
    hasChildren: arr(c.components).length > 0,
  };
  const group = str(c.group);
  if (group) out.group = group;
  const version = str(c.version);
  if (version) out.version = version;
  return out;
}

export function readCycloneDxJson(doc: Json, where: string): SbomDocument {
  const specVersion = str(doc.specVersion);
  if (!specVersion) throw new StrataError('corrupt', 'CycloneDX BOM without specVersion', { path: where });
  const warnings: string[] = [];
  if (!SUPPORTED.has(specVersion)) {
    if (!READABLE.has(specVersion)) throw new StrataError('unsupported', `CycloneDX specVersion ${specVersion} is not supported (1.2 to 1.7 are)`, { path: where });
    warnings.push(`CycloneDX ${specVersion} is outside the tested range 1.4–1.6; read as 1.6`);
  }

  const out: SbomDocument = { format: 'cyclonedx', specVersion, operatingSystems: [], components: [], warnings };
  const walk = (list: unknown, path: string): void => {
    arr(list).forEach((raw, i) => {
      const at = `${path}[${i}]`;
      if (!isObject(raw)) {
        warnings.push(`${at} is not an object; skipped`);
        return;
      }
      const c = component(raw, at);
      if (c.type === 'operating-system') out.operatingSystems.push(c);
      else out.components.push(c);
      walk(raw.components, `${at}.components`);
    });
  };

  const metadata = doc.metadata;
  if (isObject(metadata) && isObject(metadata.component)) {
    out.subject = component(metadata.component, 'metadata.component');
    out.documentName = out.subject.name;
    if (out.subject.type === 'operating-system') out.operatingSystems.push(out.subject);
    walk(metadata.component.components, 'metadata.component.components');
  }
  walk(doc.components, 'components');
  return out;
}
