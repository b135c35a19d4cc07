/** Bad input inside an OSV all.zip: each bad record is skipped and counted with its entry name and why. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { localResource } from '../io/resource.js';
import type { Advisory } from '../../core/advisory.js';
import type { FeedRecord, SkipWhere } from '../source.js';
import { osvSource } from './osv.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-osv-test-'));

function record(id: string, affected: unknown[], extra: Record<string, unknown> = {}): Uint8Array {
  return strToU8(JSON.stringify({ id, modified: '2024-01-01T00:00:00Z', aliases: [`CVE-2024-${id.slice(-4)}`], affected, ...extra }));
}

const pypi = (name: string, fixed: string, type = 'ECOSYSTEM') => ({ package: { ecosystem: 'PyPI', name }, ranges: [{ type, events: [{ introduced: '0' }, { fixed }] }] });

async function read(zip: Uint8Array): Promise<{ advisories: Advisory[]; skips: { reason: string; where: SkipWhere }[] }> {
  const file = path.join(dir, `all-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(file, zip);
  const skips: { reason: string; where: SkipWhere }[] = [];
  const out: FeedRecord[] = [];
  for await (const r of osvSource.read([await localResource(file)], { logger: { debug() {}, info() {}, warn() {} }, skip: (reason, where = {}) => skips.push({ reason, where }) })) out.push(r);
  return { advisories: out.flatMap((r) => (r.kind === 'advisory' ? [r.advisory] : [])), skips };
}

describe('OSV all.zip bad input', () => {
  it('skips a bad JSON record, an invalid version, an unknown range type and a truncated entry; keeps the rest', async () => {
    const good = record('PYSEC-2024-0001', [pypi('Django_REST.framework', '3.15.2')]);
    const long = record('PYSEC-2024-0005', [pypi('requests', '2.32.0')], { details: 'x'.repeat(20_000) });
    const zip = zipSync(
      {
        'PYSEC-2024-0001.json': good,
        'PYSEC-2024-0002.json': strToU8('{"id": "PYSEC-2024-0002", "affected": ['),
        'PYSEC-2024-0003.json': record('PYSEC-2024-0003', [pypi('flask', 'not a version!')]),
        'PYSEC-2024-0004.json': record('PYSEC-2024-0004', [pypi('flask', '2.0', 'BISECT')]),
        'PYSEC-2024-0005.json': long,
        'README.txt': strToU8('not a record'),
        'PYSEC-2024-0006.json': record('PYSEC-2024-0006', [pypi('jinja2', '3.1.4'), { package: { ecosystem: 'PyPI' } }]),
      },
      { level: 6 },
    );
    // Truncate the deflated data of PYSEC-2024-0005 (the stored sizes stay): the entry cannot be inflated.
    const buf = Buffer.from(zip);
    const nameAt = buf.indexOf('PYSEC-2024-0005.json');
    const dataStart = nameAt + 'PYSEC-2024-0005.json'.length;
    buf.fill(0, dataStart + 10, dataStart + 60);
    const { advisories, skips } = await read(buf);
    expect(advisories.map((a) => [a.id, a.package])).toEqual([
      ['PYSEC-2024-0001', 'django-rest-framework'],
      ['PYSEC-2024-0006', 'jinja2'],
    ]);
    expect(skips.map((s) => s.where.file)).toEqual([
      expect.stringMatching(/:PYSEC-2024-0002\.json$/),
      expect.stringMatching(/:PYSEC-2024-0003\.json$/),
      expect.stringMatching(/:PYSEC-2024-0004\.json$/),
      expect.stringMatching(/:PYSEC-2024-0005\.json$/),
      expect.stringMatching(/:PYSEC-2024-0006\.json$/),
    ]);
    expect(skips[0]?.reason).toMatch(/^bad JSON/);
    expect(skips[1]?.reason).toBe('PyPI flask: fixed: invalid pep440 version "not a version!"');
    expect(skips[2]?.reason).toBe('PyPI flask: unknown range type "BISECT"');
    expect(skips[3]?.reason).toMatch(/^unreadable zip entry/);
    expect(skips[4]?.reason).toBe('affected entry without package ecosystem or name');
  });

  it('a file that is not a zip fails the feed', async () => {
    await expect(read(Buffer.from('PK\u0003\u0004 this is not really a zip'))).rejects.toThrow(/not a readable zip archive/);
  });
});
