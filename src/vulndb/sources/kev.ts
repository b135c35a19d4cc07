/**
 * CISA Known Exploited Vulnerabilities
 * (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json):
 * `{title, catalogVersion, dateReleased, count, vulnerabilities: [{cveID, vendorProject,
 * product, vulnerabilityName, dateAdded, shortDescription, requiredAction, dueDate,
 * knownRansomwareCampaignUse, notes, cwes[]}]}` → a `kev` part on each CVE's
 * vulnerability record (joined with NVD and EPSS by CVE id when read).
 */
import type { KevEntry } from '../../core/advisory.js';
import { jsonRecords } from '../io/json-stream.js';
import { openResource, type Resource } from '../io/resource.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';

interface KevItem {
  cveID?: unknown;
  vendorProject?: unknown;
  product?: unknown;
  vulnerabilityName?: unknown;
  dateAdded?: unknown;
  dueDate?: unknown;
  knownRansomwareCampaignUse?: unknown;
  cwes?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export const kevSource: Source = {
  id: 'kev',
  description: 'CISA Known Exploited Vulnerabilities catalog',
  version: 1,
  recognise(c: Candidate): boolean {
    return !c.isZip && /"catalogVersion"\s*:/.test(c.head) && /"vulnerabilities"\s*:/.test(c.head) && !/"\$schema"/.test(c.head);
  },
  async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
    for (const res of resources) {
      try {
        for await (const item of jsonRecords(await openResource(res), { expandArrays: ['vulnerabilities'], file: res.name })) {
          if (item.key !== 'vulnerabilities' || item.index === undefined) continue;
          let v: KevItem;
          try {
            v = JSON.parse(item.text) as KevItem;
          } catch (e) {
            ctx.skip(`bad JSON: ${(e as Error).message}`, { file: res.name, line: item.line });
            continue;
          }
          const id = str(v.cveID);
          const dateAdded = str(v.dateAdded);
          if (!id || !/^CVE-\d{4}-\d{4,}$/.test(id)) {
            ctx.skip(`entry without a valid cveID (${JSON.stringify(v.cveID)})`, { file: res.name, line: item.line });
            continue;
          }
          if (!dateAdded) {
            ctx.skip('entry without dateAdded', { file: res.name, line: item.line, record: id });
            continue;
          }
          const kev: KevEntry = { dateAdded };
          const dueDate = str(v.dueDate);
          const ransomware = str(v.knownRansomwareCampaignUse);
          const vendorProject = str(v.vendorProject);
          const product = str(v.product);
          const name = str(v.vulnerabilityName);
          if (dueDate) kev.dueDate = dueDate;
          if (ransomware) kev.knownRansomwareCampaignUse = ransomware;
          if (vendorProject) kev.vendorProject = vendorProject;
          if (product) kev.product = product;
          if (name) kev.name = name;
          const cwes = Array.isArray(v.cwes) ? v.cwes.filter((x): x is string => typeof x === 'string') : [];
          yield { kind: 'vuln', info: { id, aliases: [], severity: [], kev, ...(cwes.length ? { cwes } : {}) } };
        }
      } catch (e) {
        if ((e as { code?: string }).code === 'corrupt') ctx.skip((e as Error).message, { file: res.name });
        else throw e;
      }
    }
  },
};
