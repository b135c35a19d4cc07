/**
 * Feeds with no snapshot here (NVD, EPSS, the tracker JSON export): records
 * written from their documented formats (../shared/data/vulns/SOURCES.md),
 * read through the real sources from real (compressed) files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { localResource } from '../io/resource.js';
import type { FeedRecord, SkipWhere, Source } from '../source.js';
import { debianTrackerJsonSource } from './debian-tracker-json.js';
import { epssSource } from './epss.js';
import { nvdSource } from './nvd.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-feeds-test-'));

async function readAll(source: Source, name: string, content: string | Buffer): Promise<{ records: FeedRecord[]; skips: { reason: string; where: SkipWhere }[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  const records: FeedRecord[] = [];
  const skips: { reason: string; where: SkipWhere }[] = [];
  const ctx = { logger: { debug() {}, info() {}, warn() {} }, skip: (reason: string, where: SkipWhere = {}) => skips.push({ reason, where }) };
  for await (const r of source.read([await localResource(file)], ctx)) records.push(r);
  return { records, skips };
}

const nvdDoc = {
  resultsPerPage: 3,
  startIndex: 0,
  totalResults: 3,
  format: 'NVD_CVE',
  version: '2.0',
  timestamp: '2024-06-01T00:00:00.000',
  vulnerabilities: [
    {
      cve: {
        id: 'CVE-2024-0001',
        sourceIdentifier: 'cna@example.org',
        published: '2024-01-02T03:04:05.000',
        lastModified: '2024-02-03T04:05:06.000',
        vulnStatus: 'Analyzed',
        descriptions: [
          { lang: 'es', value: 'Una descripción.' },
          { lang: 'en', value: 'A buffer overflow in libfoo before 1.2.3.' },
        ],
        metrics: {
          cvssMetricV40: [{ source: 'cna@example.org', type: 'Secondary', cvssData: { version: '4.0', vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 9.3, baseSeverity: 'CRITICAL' } }],
          cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8, baseSeverity: 'CRITICAL' } }],
          cvssMetricV2: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', baseScore: 7.5 }, baseSeverity: 'HIGH' }],
        },
        weaknesses: [{ source: 'nvd@nist.gov', type: 'Primary', description: [{ lang: 'en', value: 'CWE-787' }, { lang: 'en', value: 'NVD-CWE-Other' }] }],
        configurations: [
          {
            nodes: [
              {
                operator: 'OR',
                negate: false,
                cpeMatch: [
                  { vulnerable: true, criteria: 'cpe:2.3:a:example:libfoo:*:*:*:*:*:*:*:*', versionStartIncluding: '1.0', versionEndExcluding: '1.2.3', matchCriteriaId: 'A' },
                  { vulnerable: false, criteria: 'cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*', matchCriteriaId: 'B' },
                ],
              },
            ],
          },
          {
            operator: 'AND',
            nodes: [
              { operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:example:foo\\:bar:2.0:*:*:*:*:*:*:*' }] },
              { operator: 'OR', cpeMatch: [{ vulnerable: false, criteria: 'cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*' }] },
            ],
          },
        ],
        references: [{ url: 'https://example.org/a', source: 'cna@example.org' }, { url: 'https://example.org/a' }],
      },
    },
    { cve: { id: 'CVE-2024-0002', vulnStatus: 'Rejected', descriptions: [{ lang: 'en', value: 'Rejected reason: duplicate.' }] } },
    { cve: { id: 'not-a-cve' } },
  ],
};

describe('NVD CVE JSON 2.0', () => {
  it('reads metrics, CWEs, descriptions, dates, references and vulnerable CPE matches from a .json.gz feed', async () => {
    const { records, skips } = await readAll(nvdSource, 'nvdcve-2.0-2024.json.gz', gzipSync(JSON.stringify(nvdDoc)));
    expect(skips.map((s) => s.reason)).toEqual(['record without a valid CVE id ("not-a-cve")']);
    const vulns = records.filter((r) => r.kind === 'vuln').map((r) => (r.kind === 'vuln' ? r.info : undefined));
    expect(vulns[0]).toEqual({
      id: 'CVE-2024-0001',
      aliases: [],
      description: 'A buffer overflow in libfoo before 1.2.3.',
      published: '2024-01-02T03:04:05.000',
      modified: '2024-02-03T04:05:06.000',
      cwes: ['CWE-787'],
      references: ['https://example.org/a'],
      severity: [
        { source: 'cna@example.org', type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, rating: 'CRITICAL' },
        { source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, rating: 'CRITICAL' },
        { source: 'nvd', type: 'CVSS_V2', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: 7.5, rating: 'HIGH' },
      ],
    });
    expect(vulns[1]).toMatchObject({ id: 'CVE-2024-0002', rejected: true });
    const cpes = records.filter((r) => r.kind === 'cpe');
    expect(cpes).toEqual([
      { kind: 'cpe', vendor: 'example', product: 'libfoo', rule: { vulnerability: 'CVE-2024-0001', criteria: 'cpe:2.3:a:example:libfoo:*:*:*:*:*:*:*:*', versionStartIncluding: '1.0', versionEndExcluding: '1.2.3' } },
      { kind: 'cpe', vendor: 'example', product: 'foo:bar', rule: { vulnerability: 'CVE-2024-0001', criteria: 'cpe:2.3:a:example:foo\\:bar:2.0:*:*:*:*:*:*:*', conditional: true } },
    ]);
  });

  it('a bad record is skipped with its line, a truncated feed keeps what came before and says so', async () => {
    const text = JSON.stringify(nvdDoc, null, 1).replace('"id": "CVE-2024-0002"', '"id": CVE-2024-0002');
    const { records, skips } = await readAll(nvdSource, 'bad.json', text.slice(0, text.length - 40));
    expect(records.filter((r) => r.kind === 'vuln').map((r) => (r.kind === 'vuln' ? r.info.id : ''))).toEqual(['CVE-2024-0001']);
    expect(skips[0]?.reason).toMatch(/bad JSON/);
    expect(skips[0]?.where.line).toBeGreaterThan(1);
    expect(skips.at(-1)?.reason).toMatch(/truncated JSON/);
  });
});

describe('EPSS CSV', () => {
  it('reads the comment line, the header and the rows; bad rows are skipped with their line', async () => {
    const csv = ['#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000', 'cve,epss,percentile', 'CVE-2024-1234,0.00043,0.12345', 'CVE-2021-44228,0.94358,0.99961', 'CVE-bad,0.1,0.2', 'CVE-2024-9999,1.5,0.2', ''].join('\n');
    const { records, skips } = await readAll(epssSource, 'epss_scores-2025-08-25.csv.gz', gzipSync(csv));
    expect(records).toEqual([
      { kind: 'vuln', info: { id: 'CVE-2024-1234', aliases: [], severity: [], epss: { score: 0.00043, percentile: 0.12345, date: '2025-08-25' } } },
      { kind: 'vuln', info: { id: 'CVE-2021-44228', aliases: [], severity: [], epss: { score: 0.94358, percentile: 0.99961, date: '2025-08-25' } } },
    ]);
    expect(skips.map((s) => s.where.line)).toEqual([5, 6]);
  });
});

describe('Debian tracker JSON export', () => {
  const doc = {
    openssl: {
      'CVE-2023-0286': {
        description: 'X.400 address type confusion in X.509 GeneralName',
        scope: 'remote',
        debianbug: 1031303,
        releases: {
          bookworm: { status: 'resolved', repositories: { bookworm: '3.0.9-1' }, fixed_version: '3.0.8-1', urgency: 'not yet assigned' },
          bullseye: { status: 'resolved', repositories: { bullseye: '1.1.1n-0+deb11u4', 'bullseye-security': '1.1.1n-0+deb11u5' }, fixed_version: '1.1.1n-0+deb11u4', urgency: 'not yet assigned' },
          buster: { status: 'open', repositories: { buster: '1.1.1n-0+deb10u3' }, urgency: 'high**', nodsa: 'Minor issue', nodsa_reason: 'postponed' },
          sid: { status: 'resolved', repositories: { sid: '3.0.9-1' }, fixed_version: '3.0.8-1', urgency: 'not yet assigned' },
        },
      },
      'CVE-2010-0928': {
        description: 'side channel',
        releases: {
          bookworm: { status: 'open', repositories: { bookworm: '3.0.9-1' }, urgency: 'unimportant' },
          trixie: { status: 'resolved', repositories: { trixie: '3.0.9-1' }, fixed_version: '0', urgency: 'unimportant' },
          stretch: { status: 'open', repositories: {}, urgency: 'end-of-life' },
          bullseye: { status: 'open', repositories: {}, urgency: 'low', nodsa: '', nodsa_reason: 'ignored' },
          forky: { status: 'undetermined', repositories: {}, urgency: 'not yet assigned' },
        },
      },
    },
    emptypkg: { 'CVE-2020-0001': { releases: [] } },
  };

  it('maps every release state to a status, keeps urgency and description', async () => {
    const { records, skips } = await readAll(debianTrackerJsonSource, 'json', JSON.stringify(doc));
    expect(skips).toEqual([]);
    const ads = records.flatMap((r) => (r.kind === 'advisory' ? [r.advisory] : []));
    const key = (a: { id: string; ecosystem: string }) => `${a.id} ${a.ecosystem}`;
    const m = Object.fromEntries(ads.map((a) => [key(a), a]));
    expect(ads).toHaveLength(9);
    expect(m['CVE-2023-0286 Debian:12']).toMatchObject({ package: 'openssl', status: 'fixed', ranges: [{ events: [{ introduced: '0' }, { fixed: '3.0.8-1' }] }] });
    expect(m['CVE-2023-0286 Debian:11']).toMatchObject({ status: 'fixed', ranges: [{ events: [{ introduced: '0' }, { fixed: '1.1.1n-0+deb11u4' }] }] });
    expect(m['CVE-2023-0286 Debian:10']).toMatchObject({ status: 'fix_deferred', statusNote: '<postponed> (Minor issue)', severity: [{ source: 'debian', label: 'high**', rating: 'HIGH' }] });
    expect(m['CVE-2023-0286 Debian:sid']).toMatchObject({ status: 'fixed' });
    expect(m['CVE-2010-0928 Debian:12']).toMatchObject({ status: 'affected', statusNote: '<unfixed>', severity: [{ label: 'unimportant', rating: 'LOW' }] });
    expect(m['CVE-2010-0928 Debian:13']).toMatchObject({ status: 'not_affected', ranges: [] });
    expect(m['CVE-2010-0928 Debian:9']).toMatchObject({ status: 'end_of_life' });
    expect(m['CVE-2010-0928 Debian:11']).toMatchObject({ status: 'will_not_fix', statusNote: '<ignored>' });
    expect(m['CVE-2010-0928 Debian:14']).toMatchObject({ status: 'under_investigation' });
    const descriptions = records.flatMap((r) => (r.kind === 'vuln' ? [[r.info.id, r.info.description]] : []));
    expect(descriptions).toEqual([
      ['CVE-2023-0286', 'X.400 address type confusion in X.509 GeneralName'],
      ['CVE-2010-0928', 'side channel'],
    ]);
  });

  it('skips a package whose member is not valid JSON, and an unknown release, with where', async () => {
    const text = `{"good": {"CVE-2024-1": {"releases": {"bookworm": {"status": "open", "urgency": "low"}, "hamm2": {"status": "open"}}}},\n"bad": {"CVE-2024-2": {"releases": {"bookworm": {"status": open}}}},\n"after": {"CVE-2024-3": {"releases": {"sid": {"status": "resolved", "fixed_version": "1.0-1"}}}}}`;
    const { records, skips } = await readAll(debianTrackerJsonSource, 'json2', text);
    expect(records.flatMap((r) => (r.kind === 'advisory' ? [`${r.advisory.id} ${r.advisory.ecosystem}`] : []))).toEqual(['CVE-2024-1 Debian:12', 'CVE-2024-3 Debian:sid']);
    expect(skips.map((s) => [s.reason.replace(/:.*$/s, ''), s.where.line, s.where.record])).toEqual([
      ['unknown release "hamm2"', 1, 'good CVE-2024-1'],
      ['package "bad"', 2, 'bad'],
    ]);
  });
});

describe('Wolfi / Chainguard security.json (secdb format, no snapshot here)', () => {
  it('recognised by urlprefix, ecosystem Wolfi, same secfixes rules', async () => {
    const { wolfiSecdbSource, alpineSecdbSource } = await import('./alpine-secdb.js');
    const doc = {
      apkurl: '{{urlprefix}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk',
      archs: ['x86_64', 'aarch64'],
      reponame: 'os',
      urlprefix: 'https://packages.wolfi.dev',
      packages: [{ pkg: { name: 'openssl', secfixes: { '3.3.2-r0': ['CVE-2024-6119 GHSA-xxxx-yyyy-zzzz'], '0': ['CVE-2022-0001'] } } }],
    };
    const text = JSON.stringify(doc);
    const candidate = { name: 'security.json', location: 'https://packages.wolfi.dev/os/security.json', head: text, isZip: false };
    expect(wolfiSecdbSource.recognise(candidate)).toBe(true);
    expect(alpineSecdbSource.recognise(candidate)).toBe(false);
    const { records, skips } = await readAll(wolfiSecdbSource, 'security.json', text);
    expect(skips).toEqual([]);
    expect(records.flatMap((r) => (r.kind === 'advisory' ? [[r.advisory.ecosystem, r.advisory.package, r.advisory.id, r.advisory.status, r.advisory.aliases]] : []))).toEqual([
      // JSON.parse puts the integer-like key "0" first.
      ['Wolfi', 'openssl', 'CVE-2022-0001', 'not_affected', []],
      ['Wolfi', 'openssl', 'CVE-2024-6119', 'fixed', ['GHSA-xxxx-yyyy-zzzz']],
    ]);
  });
});
