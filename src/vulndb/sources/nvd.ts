/**
 * NVD CVE JSON 2.0: the yearly feeds (https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-<year>.json.gz)
 * and API pages (https://services.nvd.nist.gov/rest/json/cves/2.0) share the
 * shape `{…, format: "NVD_CVE", version: "2.0", vulnerabilities: [{cve: {id,
 * published, lastModified, vulnStatus, descriptions[], metrics{cvssMetricV40[],
 * cvssMetricV31[], cvssMetricV30[], cvssMetricV2[]}, weaknesses[], configurations[],
 * references[]}}]}`. Each CVE → a vulnerability record (descriptions, CVSS
 * vectors and scores, CWEs, dates, references; `Primary` metrics are rated by
 * `nvd`, `Secondary` ones by the CNA named in `source`), and its vulnerable
 * CPE matches → CPE rules for the optional CPE matching. The feed is read
 * record by record (io/json-stream.ts); yearly feeds are hundreds of MB.
 */
import type { CpeMatchRule, Severity, SeverityLevel, VulnInfo } from '../../core/advisory.js';
import { ratingForScore } from '../cvss.js';
import { jsonRecords } from '../io/json-stream.js';
import { openResource, type Resource } from '../io/resource.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';

interface CvssData {
  vectorString?: unknown;
  baseScore?: unknown;
  baseSeverity?: unknown;
}
interface Metric {
  source?: unknown;
  type?: unknown;
  cvssData?: CvssData;
  baseSeverity?: unknown;
}
interface CpeMatch {
  vulnerable?: unknown;
  criteria?: unknown;
  versionStartIncluding?: unknown;
  versionStartExcluding?: unknown;
  versionEndIncluding?: unknown;
  versionEndExcluding?: unknown;
}
interface NvdCve {
  id?: unknown;
  published?: unknown;
  lastModified?: unknown;
  vulnStatus?: unknown;
  descriptions?: { lang?: unknown; value?: unknown }[];
  metrics?: Record<string, Metric[] | undefined>;
  weaknesses?: { description?: { lang?: unknown; value?: unknown }[] }[];
  configurations?: { operator?: unknown; negate?: unknown; nodes?: { operator?: unknown; negate?: unknown; cpeMatch?: CpeMatch[] }[] }[];
  references?: { url?: unknown }[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const LEVELS = new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);

function metricSeverities(metrics: NvdCve['metrics']): Severity[] {
  const out: Severity[] = [];
  const kinds: [string, Severity['type'], 2 | 3 | 4][] = [
    ['cvssMetricV40', 'CVSS_V4', 4],
    ['cvssMetricV31', 'CVSS_V3', 3],
    ['cvssMetricV30', 'CVSS_V3', 3],
    ['cvssMetricV2', 'CVSS_V2', 2],
  ];
  for (const [key, type, version] of kinds) {
    for (const m of metrics?.[key] ?? []) {
      const vector = str(m?.cvssData?.vectorString);
      if (!vector) continue;
      const score = typeof m.cvssData?.baseScore === 'number' ? m.cvssData.baseScore : undefined;
      const word = str(m.cvssData?.baseSeverity) ?? str(m.baseSeverity);
      const rating: SeverityLevel | undefined = word && LEVELS.has(word.toUpperCase()) ? (word.toUpperCase() as SeverityLevel) : score !== undefined ? ratingForScore(score, version) : undefined;
      const source = m.type === 'Primary' || str(m.source) === 'nvd@nist.gov' ? 'nvd' : (str(m.source) ?? 'nvd');
      out.push({ source, type, vector, ...(score !== undefined ? { score } : {}), ...(rating ? { rating } : {}) });
    }
  }
  return out;
}

/** `cpe:2.3:a:vendor:product:…` → vendor and product, lower case (backslash escapes removed). */
export function cpeVendorProduct(criteria: string): { vendor: string; product: string } | undefined {
  const parts = criteria.split(/(?<!\\):/);
  if (parts[0] !== 'cpe' || parts[1] !== '2.3' || parts.length < 6) return undefined;
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1').toLowerCase();
  const vendor = unescape(parts[3] ?? '');
  const product = unescape(parts[4] ?? '');
  if (!vendor || !product || vendor === '*' || product === '*') return undefined;
  return { vendor, product };
}

export function nvdRecords(cve: NvdCve): { info: VulnInfo; cpes: { vendor: string; product: string; rule: CpeMatchRule }[] } | string {
  const id = str(cve.id);
  if (!id || !/^CVE-\d{4}-\d{4,}$/.test(id)) return `record without a valid CVE id (${JSON.stringify(cve.id)})`;
  const info: VulnInfo = { id, aliases: [], severity: metricSeverities(cve.metrics) };
  const description = (cve.descriptions ?? []).find((d) => d?.lang === 'en') ?? cve.descriptions?.[0];
  const text = str(description?.value);
  if (text) info.description = text;
  const published = str(cve.published);
  const modified = str(cve.lastModified);
  if (published) info.published = published;
  if (modified) info.modified = modified;
  if (str(cve.vulnStatus) === 'Rejected') info.rejected = true;
  const cwes = new Set<string>();
  for (const w of cve.weaknesses ?? []) for (const d of w?.description ?? []) if (typeof d?.value === 'string' && /^CWE-\d+$/.test(d.value)) cwes.add(d.value);
  if (cwes.size) info.cwes = [...cwes];
  const refs = (cve.references ?? []).map((r) => str(r?.url)).filter((u): u is string => !!u);
  if (refs.length) info.references = [...new Set(refs)];

  const cpes: { vendor: string; product: string; rule: CpeMatchRule }[] = [];
  for (const config of cve.configurations ?? []) {
    const nodes = config?.nodes ?? [];
    const conditional = config?.operator === 'AND' || nodes.length > 1;
    for (const node of nodes) {
      for (const m of node?.cpeMatch ?? []) {
        if (m?.vulnerable !== true) continue;
        const criteria = str(m.criteria);
        const vp = criteria ? cpeVendorProduct(criteria) : undefined;
        if (!criteria || !vp) continue;
        const rule: CpeMatchRule = { vulnerability: id, criteria };
        for (const k of ['versionStartIncluding', 'versionStartExcluding', 'versionEndIncluding', 'versionEndExcluding'] as const) {
          const v = str(m[k]);
          if (v) rule[k] = v;
        }
        if (conditional || node.negate === true) rule.conditional = true;
        cpes.push({ ...vp, rule });
      }
    }
  }
  return { info, cpes };
}

export const nvdSource: Source = {
  id: 'nvd',
  description: 'NVD CVE JSON 2.0 (yearly feeds or API pages)',
  version: 1,
  recognise(c: Candidate): boolean {
    return !c.isZip && /"vulnerabilities"\s*:/.test(c.head) && (/"format"\s*:\s*"NVD_CVE"/.test(c.head) || /"resultsPerPage"\s*:/.test(c.head));
  },
  async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
    for (const res of resources) {
      try {
        for await (const item of jsonRecords(await openResource(res), { expandArrays: ['vulnerabilities'], file: res.name })) {
          if (item.key !== 'vulnerabilities' || item.index === undefined) continue;
          ctx.signal?.throwIfAborted();
          let cve: NvdCve;
          try {
            cve = (JSON.parse(item.text) as { cve?: NvdCve }).cve ?? {};
          } catch (e) {
            ctx.skip(`bad JSON: ${(e as Error).message}`, { file: res.name, line: item.line });
            continue;
          }
          const r = nvdRecords(cve);
          if (typeof r === 'string') {
            ctx.skip(r, { file: res.name, line: item.line });
            continue;
          }
          yield { kind: 'vuln', info: r.info };
          for (const c of r.cpes) yield { kind: 'cpe', vendor: c.vendor, product: c.product, rule: c.rule };
        }
      } catch (e) {
        if ((e as { code?: string }).code === 'corrupt') ctx.skip((e as Error).message, { file: res.name });
        else throw e;
      }
    }
  },
};
