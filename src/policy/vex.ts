/**
 * VEX input: OpenVEX documents and CycloneDX VEX (a BOM's `vulnerabilities`
 * with `analysis`). Statements that say a product is `not_affected` or
 * `fixed` (CycloneDX: `not_affected`, `false_positive`, `resolved`) suppress
 * the matching findings; the report names the statement that did.
 */
import { StrataError } from '../core/errors.js';
import { readRegularFile } from '../util/regular-file.js';

export type VexStatus = 'not_affected' | 'fixed' | 'affected' | 'under_investigation';

export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  /** Product identifiers: purls (package or `pkg:oci/…` image) or bom-refs. */
  products: string[];
  /** Packages inside the products the statement is limited to (OpenVEX subcomponents). */
  subcomponents: string[];
  status: VexStatus;
  justification?: string;
  impact?: string;
  /** `FILE: statement N` or `FILE: vulnerability ID`. */
  origin: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function idsOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const p of list) {
    if (typeof p === 'string') out.push(p);
    else if (p && typeof p === 'object') {
      const o = p as Record<string, unknown>;
      const id = str(o['@id']) ?? str(o.id) ?? str(o.ref);
      if (id) out.push(id);
      const identifiers = o.identifiers as Record<string, unknown> | undefined;
      const purl = identifiers ? str(identifiers.purl) : undefined;
      if (purl) out.push(purl);
    }
  }
  return out;
}

function parseOpenVex(doc: Record<string, unknown>, file: string): VexStatement[] {
  const statements = doc.statements;
  if (!Array.isArray(statements)) throw new StrataError('usage', `${file}: OpenVEX document without a "statements" list`);
  return statements.map((s, i): VexStatement => {
    const where = `${file}: statement ${i + 1}`;
    if (!s || typeof s !== 'object') throw new StrataError('usage', `${where}: not an object`);
    const st = s as Record<string, unknown>;
    const vuln = st.vulnerability;
    const name = typeof vuln === 'string' ? vuln : str((vuln as Record<string, unknown> | undefined)?.name) ?? str((vuln as Record<string, unknown> | undefined)?.['@id']);
    if (!name) throw new StrataError('usage', `${where}: missing vulnerability name`);
    const aliases = typeof vuln === 'object' && vuln && Array.isArray((vuln as Record<string, unknown>).aliases) ? ((vuln as Record<string, unknown>).aliases as unknown[]).filter((a): a is string => typeof a === 'string') : [];
    const status = str(st.status);
    if (status !== 'not_affected' && status !== 'fixed' && status !== 'affected' && status !== 'under_investigation') {
      throw new StrataError('usage', `${where}: unknown status "${String(st.status)}"`);
    }
    const products = Array.isArray(st.products) ? st.products : [];
    const subcomponents = products.flatMap((p) => (p && typeof p === 'object' ? idsOf((p as Record<string, unknown>).subcomponents) : []));
    return {
      vulnerability: name,
      aliases,
      products: idsOf(products),
      subcomponents,
      status,
      ...(str(st.justification) ? { justification: str(st.justification) } : {}),
      ...(str(st.impact_statement) ? { impact: str(st.impact_statement) } : {}),
      origin: `${where} (${name})`,
    };
  });
}

const CDX_STATE: Record<string, VexStatus> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

function parseCycloneDxVex(doc: Record<string, unknown>, file: string): VexStatement[] {
  const vulns = doc.vulnerabilities;
  if (!Array.isArray(vulns)) return [];
  // `affects[].ref` may name a component by bom-ref: resolve it to the component's purl.
  const purlByRef = new Map<string, string>();
  const walk = (components: unknown) => {
    if (!Array.isArray(components)) return;
    for (const c of components) {
      if (!c || typeof c !== 'object') continue;
      const o = c as Record<string, unknown>;
      const ref = str(o['bom-ref']);
      const purl = str(o.purl);
      if (ref && purl) purlByRef.set(ref, purl);
      walk(o.components);
    }
  };
  walk(doc.components);
  const meta = (doc.metadata as Record<string, unknown> | undefined)?.component as Record<string, unknown> | undefined;
  if (meta && str(meta['bom-ref']) && str(meta.purl)) purlByRef.set(str(meta['bom-ref']) as string, str(meta.purl) as string);

  const out: VexStatement[] = [];
  for (const [i, v] of vulns.entries()) {
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    const id = str(o.id);
    const analysis = o.analysis as Record<string, unknown> | undefined;
    const state = analysis ? str(analysis.state) : undefined;
    if (!id || !state) continue;
    const status = CDX_STATE[state];
    if (!status) throw new StrataError('usage', `${file}: vulnerability ${i + 1} (${id}): unknown analysis state "${state}"`);
    const refs = idsOf(o.affects).map((r) => purlByRef.get(r) ?? r);
    const aliases = Array.isArray(o.references)
      ? (o.references as unknown[]).map((r) => str((r as Record<string, unknown> | undefined)?.id)).filter((x): x is string => !!x)
      : [];
    out.push({
      vulnerability: id,
      aliases,
      products: refs,
      subcomponents: [],
      status,
      ...(analysis && str(analysis.justification) ? { justification: str(analysis.justification) } : {}),
      ...(analysis && str(analysis.detail) ? { impact: str(analysis.detail) } : {}),
      origin: `${file}: vulnerability ${id}`,
    });
  }
  return out;
}

export function parseVex(text: string, file: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StrataError('usage', `${file}: VEX document is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new StrataError('usage', `${file}: VEX document must be a JSON object`);
  const o = doc as Record<string, unknown>;
  if (typeof o['@context'] === 'string' && o['@context'].includes('openvex')) return parseOpenVex(o, file);
  if (o.bomFormat === 'CycloneDX') return parseCycloneDxVex(o, file);
  if (Array.isArray(o.statements)) return parseOpenVex(o, file);
  throw new StrataError('unsupported', `${file}: not an OpenVEX or CycloneDX VEX document`);
}

export async function readVexFile(file: string): Promise<VexStatement[]> {
  let text: string;
  try {
    text = await readRegularFile(file, { what: 'VEX file' });
  } catch (e) {
    // Not a regular file, unreadable, over the limit: the message says which; a missing file keeps its short form.
    if (!(e instanceof StrataError) || e.code !== 'not-found') throw e;
    throw new StrataError('not-found', `cannot read VEX file ${file}: ENOENT`);
  }
  return parseVex(text, file);
}
