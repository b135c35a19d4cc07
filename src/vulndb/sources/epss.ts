/**
 * FIRST EPSS scores (https://epss.empiricalsecurity.com/epss_scores-current.csv.gz):
 * a comment line `#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000`,
 * the header `cve,epss,percentile`, then `CVE-2024-1234,0.00043,0.12345` per
 * CVE → an `epss` part on each CVE's vulnerability record. Three numeric
 * columns without quoting, so a line split is all the CSV this needs.
 */
import { readLines } from '../io/lines.js';
import { openResource, type Resource } from '../io/resource.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';

export const epssSource: Source = {
  id: 'epss',
  description: 'FIRST EPSS scores (CSV)',
  version: 1,
  recognise(c: Candidate): boolean {
    return !c.isZip && (/^#model_version:/.test(c.head) || /^cve,epss,percentile\s*$/m.test(c.head.split('\n').slice(0, 2).join('\n')));
  },
  async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
    for (const res of resources) {
      let date: string | undefined;
      let columns: { cve: number; epss: number; percentile: number } | undefined;
      for await (const { text, number } of readLines(await openResource(res))) {
        if (text.trim() === '') continue;
        if (text.startsWith('#')) {
          const m = /score_date:(\d{4}-\d{2}-\d{2})/.exec(text);
          if (m) date = m[1];
          continue;
        }
        const cells = text.split(',').map((s) => s.trim());
        if (!columns) {
          const cve = cells.indexOf('cve');
          const epss = cells.indexOf('epss');
          const percentile = cells.indexOf('percentile');
          if (cve < 0 || epss < 0 || percentile < 0) {
            ctx.skip(`expected the header cve,epss,percentile, got ${JSON.stringify(text.slice(0, 60))}`, { file: res.name, line: number });
            return;
          }
          columns = { cve, epss, percentile };
          continue;
        }
        const id = cells[columns.cve] ?? '';
        const score = Number(cells[columns.epss]);
        const percentile = Number(cells[columns.percentile]);
        if (!/^CVE-\d{4}-\d{4,}$/.test(id)) {
          ctx.skip(`bad CVE id ${JSON.stringify(id)}`, { file: res.name, line: number });
          continue;
        }
        if (cells[columns.epss] === '' || !Number.isFinite(score) || score < 0 || score > 1 || !Number.isFinite(percentile) || percentile < 0 || percentile > 1) {
          ctx.skip(`bad score or percentile ${JSON.stringify(text.slice(0, 60))}`, { file: res.name, line: number, record: id });
          continue;
        }
        yield { kind: 'vuln', info: { id, aliases: [], severity: [], epss: { score, percentile, ...(date ? { date } : {}) } } };
      }
    }
  },
};
