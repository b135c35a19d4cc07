import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { readLines } from '../io/lines.js';
import type { SkipWhere } from '../source.js';
import { advisoriesOfListEntry } from './debian-advisory-list.js';
import { advisoriesOfEntry } from './debian-cve-list.js';
import { type ListEntry, type ListKind, parseTrackerList } from './debian-list.js';

interface VulsAnnotation {
  line: string;
  type: string;
  release?: string;
  package?: string;
  kind?: string;
  version?: string;
  description?: string;
  flags?: ({ bug: number } | { severity: string })[];
  bugs?: string[];
}
interface VulsEntry {
  header: { line: string; name: string; description?: string };
  annotations?: VulsAnnotation[];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

async function parse(text: string, kind: ListKind): Promise<{ entries: ListEntry[]; skips: { reason: string; where: SkipWhere }[] }> {
  const skips: { reason: string; where: SkipWhere }[] = [];
  const entries: ListEntry[] = [];
  for await (const e of parseTrackerList(readLines(Readable.from([Buffer.from(text)])), kind, 'list', (reason, where) => skips.push({ reason, where }))) entries.push(e);
  return { entries, skips };
}

const skipNone = { skip: () => {} };

describe('tracker list parser on the real excerpts (vuls-data-update ground truth)', () => {
  const dir = sharedData('vulns', 'debian', 'tracker-excerpts-vuls');
  const excerpts = files(dir).filter((f) => f.endsWith('.json'));

  it('has the 18 excerpts', () => {
    expect(excerpts).toHaveLength(18);
  });

  for (const file of excerpts) {
    it(`parses ${path.relative(dir, file)} like the tracker`, async () => {
      const vuls = JSON.parse(readFileSync(file, 'utf8')) as VulsEntry;
      const text = [vuls.header.line, ...(vuls.annotations ?? []).map((a) => a.line)].join('\n');
      const kind: ListKind = path.relative(dir, file).startsWith('CVE') ? 'cve' : 'advisory';
      const { entries, skips } = await parse(text, kind);
      expect(skips).toEqual([]);
      expect(entries).toHaveLength(1);
      const e = entries[0] as ListEntry;
      expect(e.name).toBe(vuls.header.name);
      const anns = vuls.annotations ?? [];
      const pkgs = anns.filter((a) => a.type === 'package');
      expect(e.packages.map((p) => ({ release: p.release, package: p.package, kind: p.kind, version: p.version }))).toEqual(
        pkgs.map((a) => ({ release: a.release, package: a.package, kind: a.kind, version: a.version })),
      );
      for (const [i, a] of pkgs.entries()) {
        const p = e.packages[i];
        const bugs = (a.flags ?? []).filter((f): f is { bug: number } => 'bug' in f).map((f) => f.bug);
        const severity = (a.flags ?? []).find((f): f is { severity: string } => 'severity' in f)?.severity;
        expect(p?.bugs).toEqual(bugs);
        expect(p?.urgency).toBe(severity);
        if (['no-dsa', 'not-affected', 'end-of-life', 'ignored', 'postponed'].includes(a.kind ?? '')) expect(p?.description).toBe(a.description);
      }
      expect(e.xrefs).toEqual(anns.filter((a) => a.type === 'xref').flatMap((a) => a.bugs ?? []));
      expect(e.notes).toEqual(anns.filter((a) => a.type === 'NOTE').map((a) => a.description));
      expect(e.todos).toEqual(anns.filter((a) => a.type === 'TODO').map((a) => a.description));
      expect(e.rejected).toBe(anns.some((a) => a.type === 'REJECTED'));
      expect(e.notForUs !== undefined).toBe(anns.some((a) => a.type === 'NOT-FOR-US'));
    });
  }

  it('reads the whole excerpt set as one list and keeps every tracker state', async () => {
    const cveText = excerpts
      .filter((f) => path.relative(dir, f).startsWith('CVE'))
      .map((f) => {
        const v = JSON.parse(readFileSync(f, 'utf8')) as VulsEntry;
        return [v.header.line, ...(v.annotations ?? []).map((a) => a.line)].join('\n');
      })
      .join('\n');
    const { entries, skips } = await parse(cveText, 'cve');
    expect(skips).toEqual([]);
    expect(entries).toHaveLength(13);
    const kinds = entries.flatMap((e) => e.packages.map((p) => p.kind)).sort();
    const counts = Object.fromEntries([...new Set(kinds)].map((k) => [k, kinds.filter((x) => x === k).length]));
    // SOURCES.md: fixed ×15, no-dsa ×9, not-affected ×3, postponed ×3, removed ×2, unfixed ×2, itp ×1, undetermined ×1 (CVE and DSA/DLA/DTSA together).
    // fixed in CVE entries: 2 (CVE-2013-1629) + 2 (CVE-2020-25670) + 3 (CVE-2024-21096) + 1 (CVE-2024-42141) + 1 (CVE-2026-27205); the other 6 are in the DSA/DLA/DTSA excerpts.
    expect(counts).toEqual({ fixed: 9, 'no-dsa': 9, 'not-affected': 3, postponed: 3, removed: 2, unfixed: 2, itp: 1, undetermined: 1 });
  });
});

describe('CVE/list release model', () => {
  it('<no-dsa> and <postponed> per release, <unfixed> in unstable (CVE-2026-27171, zlib)', async () => {
    const text = readFileSync(sharedData('vulns', 'debian', 'tracker-excerpts-vuls', 'CVE', '2026', 'CVE-2026-27171.json'), 'utf8');
    const v = JSON.parse(text) as VulsEntry;
    const { entries } = await parse([v.header.line, ...(v.annotations ?? []).map((a) => a.line)].join('\n'), 'cve');
    const ads = advisoriesOfEntry(entries[0] as ListEntry, 'list', skipNone);
    const by = Object.fromEntries(ads.map((a) => [a.ecosystem, a]));
    expect(Object.keys(by).sort()).toEqual(['Debian:11', 'Debian:12', 'Debian:13', 'Debian:14', 'Debian:sid']);
    expect(by['Debian:sid']).toMatchObject({ id: 'CVE-2026-27171', package: 'zlib', status: 'affected', ranges: [], statusNote: '<unfixed>' });
    expect(by['Debian:13']).toMatchObject({ status: 'will_not_fix', statusNote: '<no-dsa> (Minor issue)', ranges: [] });
    expect(by['Debian:12']).toMatchObject({ status: 'will_not_fix', statusNote: '<no-dsa> (Minor issue)' });
    expect(by['Debian:11']).toMatchObject({ status: 'fix_deferred', statusNote: '<postponed> (Minor issue; hardening of API)' });
    // forky has no line: it inherits the unstable state.
    expect(by['Debian:14']).toMatchObject({ status: 'affected', ranges: [] });
  });

  it('a fix only in unstable: tracked releases without a line get affected with the unstable fixed version (CVE-2020-25670)', async () => {
    const v = JSON.parse(readFileSync(sharedData('vulns', 'debian', 'tracker-excerpts-vuls', 'CVE', '2020', 'CVE-2020-25670.json'), 'utf8')) as VulsEntry;
    const { entries } = await parse([v.header.line, ...(v.annotations ?? []).map((a) => a.line)].join('\n'), 'cve');
    const ads = advisoriesOfEntry(entries[0] as ListEntry, 'list', skipNone);
    const by = Object.fromEntries(ads.map((a) => [a.ecosystem, a]));
    const fixedAt = (v: string) => [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: v }] }];
    expect(by['Debian:sid']).toMatchObject({ status: 'fixed', ranges: fixedAt('5.10.38-1') });
    expect(by['Debian:10']).toMatchObject({ status: 'fixed', ranges: fixedAt('4.19.194-1') });
    expect(by['Debian:11']).toMatchObject({ status: 'fix_deferred', statusNote: '<postponed> (Minor issue, revisit once fixed upstream)' });
    expect(by['Debian:12']).toMatchObject({ status: 'affected', ranges: fixedAt('5.10.38-1'), statusNote: 'fixed in unstable 5.10.38-1; no fix listed for bookworm', inheritedFrom: 'unstable' });
    expect(by['Debian:13']?.statusNote).toBe('fixed in unstable 5.10.38-1; no fix listed for trixie');
  });

  it('urgency notes become debian ratings; <removed> and <itp>; entries written from the documented format', async () => {
    const text = [
      'CVE-2023-1234 (Description text ...)',
      '\t{DSA-5380-1 DLA-3380-1}',
      '\t- openssl 3.0.8-1 (bug #123456; medium)',
      '\t[bookworm] - openssl <no-dsa> (Minor issue)',
      '\t[bullseye] - openssl 1.1.1n-0+deb11u5',
      '\t[buster] - openssl <postponed> (Revisit when fixed upstream)',
      '\tNOTE: https://example.org/advisory',
      'CVE-2023-1235',
      '\tNOT-FOR-US: Some product',
      'CVE-2023-1236',
      '\tRESERVED',
      'CVE-2023-1237',
      '\tREJECTED',
      'CVE-2023-1238 (x)',
      '\t- oldpkg <removed>',
      '\t[bookworm] - oldpkg <ignored> (unsupported in bookworm)',
      '\t- newpkg <itp> (bug #1)',
      '\t- lowpkg 1.0-1 (unimportant)',
      '\t[trixie] - lowpkg <end-of-life> (not supported)',
    ].join('\n');
    const { entries, skips } = await parse(text, 'cve');
    expect(skips).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual(['CVE-2023-1234', 'CVE-2023-1235', 'CVE-2023-1236', 'CVE-2023-1237', 'CVE-2023-1238']);
    const first = advisoriesOfEntry(entries[0] as ListEntry, 'list', skipNone);
    const by = Object.fromEntries(first.map((a) => [a.ecosystem, a]));
    expect(by['Debian:sid']?.severity).toEqual([{ source: 'debian', type: 'rating', label: 'medium', rating: 'MEDIUM' }]);
    expect(by['Debian:12']).toMatchObject({ status: 'will_not_fix', severity: [{ source: 'debian', label: 'medium' }] });
    expect(by['Debian:11']).toMatchObject({ status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1n-0+deb11u5' }] }] });
    expect(by['Debian:10']).toMatchObject({ status: 'fix_deferred' });
    expect(entries[1]?.notForUs).toBe('Some product');
    expect(advisoriesOfEntry(entries[1] as ListEntry, 'list', skipNone)).toEqual([]);
    expect(advisoriesOfEntry(entries[3] as ListEntry, 'list', skipNone)).toEqual([]);
    const last = advisoriesOfEntry(entries[4] as ListEntry, 'list', skipNone);
    const key = (a: { package: string; ecosystem: string }) => `${a.package} ${a.ecosystem}`;
    const m = Object.fromEntries(last.map((a) => [key(a), a]));
    expect(m['oldpkg Debian:sid']).toMatchObject({ status: 'not_affected', statusNote: '<removed>' });
    expect(m['oldpkg Debian:12']).toMatchObject({ status: 'will_not_fix', statusNote: '<ignored> (unsupported in bookworm)' });
    expect(m['oldpkg Debian:13']).toMatchObject({ status: 'affected', statusNote: 'removed from unstable; no fix listed for trixie' });
    expect(last.filter((a) => a.package === 'newpkg')).toEqual([]);
    expect(m['lowpkg Debian:sid']?.severity[0]).toMatchObject({ label: 'unimportant', rating: 'LOW' });
    expect(m['lowpkg Debian:13']).toMatchObject({ status: 'end_of_life', statusNote: '<end-of-life> (not supported)' });
  });

  it('names CVE-YYYY-XXXX entries the way the tracker does (TEMP-<bug>-<md5 of description>)', async () => {
    const { entries } = await parse('CVE-2008-XXXX [XSS in press-this of wordpress]\n\t- wordpress <not-affected> (Vulnerable code not present)\n', 'cve');
    expect(entries[0]?.name).toBe('TEMP-0000000-0CA7E3');
  });

  it('skips and counts mis-indented and unknown lines, naming file, line and entry', async () => {
    const text = [
      'CVE-2024-0001 (a)',
      '\t- foo 1.0-1',
      '[bookworm] - foo <no-dsa> (not indented)',
      '\t[bullseye] - foo <wontfix> (not a state)',
      '\tFROB: what is this',
      'this is not a header',
      '\t- orphan 1.0',
      'CVE-2024-0002',
      '\t- bar <unfixed>',
    ].join('\n');
    const { entries, skips } = await parse(text, 'cve');
    expect(entries.map((e) => e.name)).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
    expect(entries[0]?.packages.map((p) => p.text)).toEqual(['- foo 1.0-1']);
    expect(skips.map((s) => [s.where.line, s.where.record])).toEqual([
      [3, 'CVE-2024-0001'],
      [4, 'CVE-2024-0001'],
      [5, 'CVE-2024-0001'],
      [6, undefined],
    ]);
    expect(skips[0]?.reason).toMatch(/not indented/);
    expect(skips[1]?.reason).toMatch(/unknown package state <wontfix>/);
    expect(skips[2]?.reason).toMatch(/unknown annotation/);
    expect(skips[3]?.reason).toMatch(/malformed header/);
  });
});

describe('DSA/DLA/DTSA list entries', () => {
  it('DSA-5990-1 (two releases) → one advisory per release', async () => {
    const v = JSON.parse(readFileSync(sharedData('vulns', 'debian', 'tracker-excerpts-vuls', 'DSA', 'DSA-5990-1.json'), 'utf8')) as VulsEntry;
    const { entries } = await parse([v.header.line, ...(v.annotations ?? []).map((a) => a.line)].join('\n'), 'advisory');
    const e = entries[0] as ListEntry;
    expect(e).toMatchObject({ name: 'DSA-5990-1', date: '2025-08-29', description: 'libxml2 - security update' });
    const ads = advisoriesOfListEntry(e, [], 'DSA.list', skipNone);
    expect(ads.map((a) => [a.ecosystem, a.package, a.status, a.ranges[0]?.events[1]?.fixed])).toEqual([
      ['Debian:12', 'libxml2', 'fixed', '2.9.14+dfsg-1.3~deb12u4'],
      ['Debian:13', 'libxml2', 'fixed', '2.12.7+dfsg+really2.9.14-2.1+deb13u1'],
    ]);
  });

  it('DTSA dates and urgency notes', async () => {
    const { entries } = await parse('[August 26th, 2005] DTSA-1-1 kismet - various\n\t{CVE-2005-2626 CVE-2005-2627 }\n\t[etch] - kismet 2005.08.R1-0.1etch1 (high)\n', 'advisory');
    const e = entries[0] as ListEntry;
    expect(e).toMatchObject({ name: 'DTSA-1-1', date: '2005-08-26', xrefs: ['CVE-2005-2626', 'CVE-2005-2627'] });
    const [a] = advisoriesOfListEntry(e, e.xrefs, 'DTSA.list', skipNone);
    expect(a).toMatchObject({ ecosystem: 'Debian:4.0', status: 'fixed', severity: [{ label: 'high', rating: 'HIGH' }], aliases: ['CVE-2005-2626', 'CVE-2005-2627'] });
  });
});
