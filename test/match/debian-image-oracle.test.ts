/**
 * The Debian test image scanned with the database built from the real feed
 * snapshots (../shared/data/vulns): every finding equals a list this test
 * computes on its own from the raw feed files, and nothing else is reported.
 *
 * The oracle (test/match/oracles.ts) reads:
 * - the bookworm OVAL (bz2, through `bzip2 -dc`): definitions → (CVE or DSA
 *   id, source package, fixed EVR or `0:0`);
 * - the DSA/DLA/DTSA lists: `[bookworm] - pkg version` lines → (CVEs, or the
 *   advisory id when it names none, source package, fixed version);
 * - the installed packages from the image build's own `dpkg-query` list
 *   (binary, version, source, source version);
 * - the Go vulndb all.zip for the Go binary that no Debian package ships
 *   (esbuild, from npm): stdlib at its toolchain version and its modules.
 *
 * Precedence the oracle assumes, the same as src/match/matcher.ts documents
 * for its tier 0 (records that speak for the release): for one
 * (vulnerability, source package), if any statement gives a fixed version,
 * the package is affected iff its SOURCE version is below the highest of the
 * fixed versions it is below (`dpkg --compare-versions`), with that version
 * as the fix; a `0:0` (open) statement yields to a fix. Only when every
 * statement is `0:0` is it affected with status `affected` and no fix. This
 * is what the tracker would say: OVAL and the DSA lists are both generated
 * from its per-release state, and a DSA fix for the release is the fix.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDatabase } from '../../src/vulndb/index.js';
import type { JsonReport } from '../../src/report/json.js';
import { assertBuilt, strata } from '../cli/run-strata.js';
import { debianImage } from '../support/images.js';
import { sharedData } from '../support/paths.js';
import {
  type DebianStatement,
  debianAdvisoryListStatements,
  debianOvalStatements,
  dpkgLessThan,
  expectedOsvSemverFindings,
  findingLine,
  osvRecords,
} from './oracles.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'strata-match-oracle-'));
const dbPath = path.join(work, 'strata.db');
let report: JsonReport;
let expectedDebian: string[];
let expectedGo: string[];

interface Installed {
  binary: string;
  version: string;
  source: string;
  sourceVersion: string;
}

function installedPackages(): Installed[] {
  return readFileSync(path.join(debianImage().expected, 'dpkg-query.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [binary, version, source, sourceVersion] = line.split('\t') as [string, string, string, string];
      return { binary, version, source, sourceVersion };
    });
}

/** `0:` is no epoch to dpkg, and the tracker writes versions without it. */
const noZeroEpoch = (v: string) => v.replace(/^0:/, '');

function expectedDebianFindings(): string[] {
  const statements: DebianStatement[] = [
    ...debianOvalStatements(
      execFileSync('bzip2', ['-dc', sharedData('vulns', 'debian', 'oval', 'oval-definitions-bookworm.xml.bz2')], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8'),
    ),
    ...['DSA', 'DLA', 'DTSA'].flatMap((kind) =>
      debianAdvisoryListStatements(readFileSync(sharedData('vulns', 'debian-tracker', `${kind}.list`), 'utf8'), 'bookworm', `${kind}.list`),
    ),
  ];
  const installed = installedPackages();
  const sources = new Map<string, string>(); // source package → source version (one per image)
  for (const p of installed) sources.set(p.source, p.sourceVersion);

  // (vulnerability, source) → fixed versions stated (0:0 = open)
  const byKey = new Map<string, { vuln: string; source: string; fixes: string[]; open: boolean }>();
  for (const s of statements) {
    if (!sources.has(s.source)) continue;
    const key = `${s.vuln}\t${s.source}`;
    const entry = byKey.get(key) ?? { vuln: s.vuln, source: s.source, fixes: [], open: false };
    if (/^(?:0:)?0$/.test(s.fixed)) entry.open = true;
    else entry.fixes.push(noZeroEpoch(s.fixed));
    byKey.set(key, entry);
  }

  const pairs: Array<[string, string]> = [];
  for (const e of byKey.values()) for (const f of e.fixes) pairs.push([sources.get(e.source) as string, f]);
  const below = dpkgLessThan(pairs);
  let i = 0;
  const verdicts = new Map<string, { status: string; fixed: string | null } | undefined>();
  const needMax: Array<{ key: string; fixes: string[] }> = [];
  for (const [key, e] of byKey) {
    const fixesAbove = e.fixes.filter(() => below[i++]);
    if (e.fixes.length === 0) verdicts.set(key, { status: 'affected', fixed: null });
    else if (fixesAbove.length === 0) verdicts.set(key, undefined);
    else if (fixesAbove.length === 1) verdicts.set(key, { status: 'fixed', fixed: fixesAbove[0] as string });
    else needMax.push({ key, fixes: fixesAbove });
  }
  for (const { key, fixes } of needMax) {
    // The highest fix: the one no other is above.
    const cmp = dpkgLessThan(fixes.flatMap((a) => fixes.map((b) => [a, b] as [string, string])));
    const highest = fixes.find((_, ai) => fixes.every((_b, bi) => !cmp[ai * fixes.length + bi]));
    verdicts.set(key, { status: 'fixed', fixed: highest as string });
  }

  const lines: string[] = [];
  for (const [key, verdict] of verdicts) {
    if (!verdict) continue;
    const e = byKey.get(key)!;
    for (const p of installed.filter((x) => x.source === e.source)) lines.push(findingLine(e.vuln, p.binary, p.sourceVersion, verdict.fixed, verdict.status));
  }
  return lines.sort();
}

/** The Go binary installed from npm (not from a Debian package): its toolchain and modules from the image build's evidence list. */
function esbuildGoModules(): Array<{ name: string; version: string }> {
  const rows = readFileSync(path.join(debianImage().expected, 'ecosystem-evidence.tsv'), 'utf8').split('\n');
  const esbuild = rows.find((r) => r.startsWith('go-binary\t') && r.includes('/@esbuild/linux-x64/bin/esbuild'));
  if (!esbuild) throw new Error('esbuild is not in ecosystem-evidence.tsv');
  const detail = esbuild.split('\t')[2] as string;
  const toolchain = /^go(\d+\.\d+(?:\.\d+)?)/.exec(detail)?.[1];
  if (!toolchain) throw new Error(`no Go toolchain version in ${detail}`);
  const deps = [...detail.matchAll(/dep (\S+) (v\S+)/g)].map((m) => ({ name: m[1] as string, version: m[2] as string }));
  return [{ name: 'stdlib', version: toolchain }, ...deps];
}

function expectedGoFindings(): string[] {
  const records = osvRecords(sharedData('vulns', 'osv', 'Go', 'all.zip'));
  const lines: string[] = [];
  for (const m of esbuildGoModules()) {
    for (const [id, v] of expectedOsvSemverFindings(records, 'Go', m.name, m.version)) {
      lines.push(findingLine(id, m.name, m.version, v.fixed, v.fixed !== undefined ? 'fixed' : 'affected'));
    }
  }
  return lines.sort();
}

beforeAll(async () => {
  assertBuilt();
  await buildDatabase({ inputs: [sharedData('vulns')], output: dbPath });
  const run = await strata(['image', '--input', debianImage().ociLayout, '--db', dbPath, '-f', 'json', '--offline', '--cache-dir', path.join(work, 'cache'), '-q'], {
    env: { XDG_CACHE_HOME: path.join(work, 'xdg') },
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  report = JSON.parse(run.stdout) as JsonReport;
  expectedDebian = expectedDebianFindings();
  expectedGo = expectedGoFindings();
}, 300_000);

describe('Debian test image against the real feed snapshots', () => {
  it('the image is Debian 12 and the database holds the bookworm OVAL and the DSA/DLA lists', () => {
    expect(report.os?.ecosystem).toBe('Debian:12');
    const sources = report.database?.sources.map((s) => s.id) ?? [];
    expect(sources).toEqual(expect.arrayContaining(['debian-oval', 'debian-dsa', 'debian-dla', 'osv-go']));
  });

  it('Debian findings equal the oracle from the OVAL and the DSA/DLA lists (source versions, dpkg ordering)', () => {
    const expected = expectedDebian;
    const got = report.findings
      .filter((f) => f.package.ecosystem === 'Debian:12')
      .map((f) => findingLine(f.id, f.package.name, f.installedVersion, f.fixedVersion, f.status))
      .sort();
    // 2023-07 OVAL vs a 2025+ image: what remains are the issues still open in July 2023 (0:0).
    expect(expected.length).toBeGreaterThan(50);
    expect(got).toEqual(expected);
  });

  it('each Debian finding compares the source package at its source version, never the binNMU binary version', () => {
    const bySource = new Map(installedPackages().map((p) => [p.binary, p]));
    const debian = report.findings.filter((f) => f.package.ecosystem === 'Debian:12');
    for (const f of debian) {
      const p = bySource.get(f.package.name);
      expect(p, f.package.name).toBeDefined();
      expect(f.explanation.lookupName).toBe(p?.source);
      expect(f.explanation.comparedVersion).toBe(p?.sourceVersion);
      expect(f.explanation.scheme).toBe('dpkg');
      expect(f.explanation.advisories.some((a) => a.source === 'debian-oval' || a.source.startsWith('debian-d'))).toBe(true);
    }
    // bsdutils 1:2.38.1-5+deb12u3 is built from util-linux 2.38.1-5+deb12u3 (no epoch): compared as the latter.
    expect(debian.find((f) => f.package.name === 'bsdutils')).toMatchObject({ package: { version: '1:2.38.1-5+deb12u3' }, installedVersion: '2.38.1-5+deb12u3' });
  });

  it('Go findings of esbuild (stdlib at its toolchain version, golang.org/x/sys) equal the OSV ranges evaluated with the semver package', () => {
    const modules = esbuildGoModules();
    expect(modules).toEqual([
      { name: 'stdlib', version: '1.20.12' },
      { name: 'golang.org/x/sys', version: 'v0.0.0-20220715151400-c0bba94af5f8' },
    ]);
    const expected = expectedGo;
    const got = report.findings
      .filter((f) => f.package.ecosystem === 'Go')
      .map((f) => findingLine(f.id, f.package.name, f.installedVersion, f.fixedVersion, f.status))
      .sort();
    expect(expected.length).toBeGreaterThan(40);
    expect(got).toEqual(expected);
    // Hand-checked: GO-2024-2887 (CVE-2024-24790, net/netip) is fixed in 1.21.11 on the 1.21 line below 1.22.
    expect(got).toContain(findingLine('CVE-2024-24790', 'stdlib', '1.20.12', '1.21.11', 'fixed'));
    // GO-2022-0493 (CVE-2022-29526) was fixed in x/sys 2022-04-12, before this pseudo-version: not reported.
    expect(got.some((l) => l.startsWith('CVE-2022-29526 '))).toBe(false);
  });

  it('nothing else is reported: one finding per (package, vulnerability), every one from the Debian or Go feeds', () => {
    expect(report.findings.every((f) => f.package.ecosystem === 'Debian:12' || f.package.ecosystem === 'Go')).toBe(true);
    const keys = report.findings.map((f) => `${f.id} ${f.package.purl}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(report.summary.findings).toBe(expectedDebian.length + expectedGo.length);
    // A finding's aliases never name another CVE (a record fixing several CVEs is an alias of each, not they of one another).
    expect(report.findings.flatMap((f) => f.aliases.filter((a) => a.startsWith('CVE-')))).toEqual([]);
  });

  it('KEV entries appear exactly on the findings whose CVE is in the CISA catalog', () => {
    const catalog = JSON.parse(readFileSync(sharedData('vulns', 'kev', 'known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: Array<{ cveID: string; dateAdded: string }> };
    const kev = new Map(catalog.vulnerabilities.map((v) => [v.cveID, v.dateAdded]));
    for (const f of report.findings) expect(f.kev?.dateAdded ?? null, f.id).toBe(kev.get(f.id) ?? null);
  });
});
