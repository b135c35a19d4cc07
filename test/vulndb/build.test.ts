/**
 * The database built from the real feed snapshots in ../shared/data/vulns:
 * counts and hand-checked records per source (expectations taken from the
 * raw files with grep/jq/python, see the comments), incremental rebuilds,
 * atomic replacement under kill -9, readers during rebuilds, concurrent
 * builds, and a corrupt or wrong-schema file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Database, openDatabase } from '../../src/util/sqlite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDatabase, openVulnStore, type SqliteVulnStore } from '../../src/vulndb/index.js';
import { SCHEMA_VERSION } from '../../src/vulndb/store/schema.js';
import { REPO_ROOT, sharedData } from '../support/paths.js';

const VULNS = sharedData('vulns');
const work = mkdtempSync(path.join(os.tmpdir(), 'strata-vulndb-e2e-'));
const dbPath = path.join(work, 'db', 'strata.db');
let store: SqliteVulnStore;
let raw: Database.Database;

function advisoriesOf(feed: string): number {
  return (raw.prepare('SELECT count(*) FROM advisory a JOIN feed f USING (feed) WHERE f.source = ?').pluck().get(feed) as number) ?? 0;
}

/** The real builder in a child process. */
function childBuild(output: string, ...inputs: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/vulndb/run-build.ts'), output, ...inputs], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr, stdout })));
}

beforeAll(async () => {
  await buildDatabase({ inputs: [VULNS], output: dbPath });
  store = openVulnStore(dbPath);
  raw = openDatabase(dbPath, { readonly: true });
}, 300_000);

afterAll(() => {
  store?.close();
  raw?.close();
});

describe('feeds recognised in the shared folder', () => {
  it('reads every publisher feed and leaves out the vuls excerpts and the KEV schema', () => {
    // What the folder holds changes as snapshots are added (SOURCES.md): the files are listed here, not frozen.
    const files = readdirSync(VULNS, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
    const excluded = (f: string) => f.includes(`${path.sep}tracker-excerpts-vuls${path.sep}`) || f.endsWith('_schema.json') || f.endsWith('.md');
    const feeds = store.metadata().sources;
    const inputs = feeds.map((s) => path.resolve(s.input)).sort();
    expect(inputs).toEqual(files.filter((f) => !excluded(f)).map((f) => path.resolve(f)).sort());
    expect(files.some(excluded)).toBe(true);
    // The feeds the rest of this file checks record by record are among them, each recognised as what it is.
    const ids = new Set(feeds.map((s) => s.id));
    for (const id of ['alpine-secdb', 'debian-dla', 'debian-dsa', 'debian-dtsa', 'debian-oval', 'kev', 'osv-crates-io', 'osv-go', 'osv-pypi', 'ubuntu-oval']) expect(ids).toContain(id);
    expect(feeds.filter((s) => s.id === 'alpine-secdb')).toHaveLength(readdirSync(path.join(VULNS, 'alpine-secdb')).filter((n) => n.endsWith('.json')).length);
    expect(store.metadata().schemaVersion).toBe(SCHEMA_VERSION);
  });
});

describe('Debian DSA/DLA/DTSA lists', () => {
  it('one advisory per release line (python count of `^\\s+\\[release\\] - pkg` lines: DSA 6988, DLA 3535, DTSA 208)', () => {
    // DSA-423 lists "kernel-image-2.4.17-ia64" as its fixed version: not a dpkg version, skipped and counted.
    expect(advisoriesOf('debian-dsa')).toBe(6987);
    expect(advisoriesOf('debian-dla')).toBe(3535);
    expect(advisoriesOf('debian-dtsa')).toBe(208);
    const dsa = store.metadata().sources.find((s) => s.id === 'debian-dsa');
    expect(dsa?.skipped).toBe(1);
    expect(dsa?.skipReasons?.[0]).toMatch(/DSA\.list:17244 DSA-423: kernel-image-2\.4\.17-ia64: invalid dpkg version/);
  });

  it('DSA-5196-1 (libpgjava, buster and bullseye)', () => {
    const buster = store.advisoriesFor('Debian:10', 'libpgjava').find((a) => a.id === 'DSA-5196-1');
    const bullseye = store.advisoriesFor('Debian:11', 'libpgjava').find((a) => a.id === 'DSA-5196-1');
    expect(buster).toMatchObject({
      source: 'debian-dsa',
      aliases: ['CVE-2022-21724', 'CVE-2022-26520'],
      status: 'fixed',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '42.2.5-2+deb10u1' }] }],
      published: '2022-07-31',
      summary: 'libpgjava - security update',
    });
    expect(bullseye?.ranges[0]?.events[1]).toEqual({ fixed: '42.2.15-1+deb11u1' });
    expect(store.aliasesOf?.('DSA-5196-1').sort()).toEqual(['CVE-2022-21724', 'CVE-2022-26520']);
    expect(store.vulnerability('DSA-5196-1')).toMatchObject({ id: 'DSA-5196-1', summary: 'libpgjava - security update', published: '2022-07-31' });
  });

  it('a regression update without CVEs (DSA-5356-2) stands for itself, its sibling DSA-5356-1 keeps the CVEs; epochs are kept (DSA-5380-1)', () => {
    const sox = store.advisoriesFor('Debian:11', 'sox');
    expect(sox.find((a) => a.id === 'DSA-5356-2')).toMatchObject({ aliases: [], ranges: [{ events: [{ introduced: '0' }, { fixed: '14.4.2+git20190427-2+deb11u2' }] }] });
    expect(sox.find((a) => a.id === 'DSA-5356-1')?.aliases).toHaveLength(8);
    const xorg = store.advisoriesFor('Debian:11', 'xorg-server').find((a) => a.id === 'DSA-5380-1');
    expect(xorg?.ranges[0]?.events[1]).toEqual({ fixed: '2:1.20.11-1+deb11u6' });
  });

  it('states other than a version are kept (DSA-3699-1: [jessie] - virtualbox <end-of-life>)', () => {
    const a = store.advisoriesFor('Debian:8', 'virtualbox').find((x) => x.id === 'DSA-3699-1');
    expect(a).toMatchObject({ status: 'end_of_life', statusNote: '<end-of-life>', ranges: [] });
  });
});

describe('Debian OVAL (bookworm, 2023-07)', () => {
  it('25,932 definitions; the 1,533 "earlier than 0" ones are unfixed, not "never affected"', () => {
    expect(advisoriesOf('debian-oval')).toBe(25932);
    const affected = raw.prepare("SELECT count(*) FROM advisory a JOIN feed f USING (feed) WHERE f.source = 'debian-oval' AND a.status = 'affected'").pluck().get();
    expect(affected).toBe(1533);
    const linux = store.advisoriesFor('Debian:12', 'linux').find((a) => a.id === 'CVE-2023-37454' && a.source === 'debian-oval');
    expect(linux).toMatchObject({ status: 'affected', ranges: [] });
  });

  it('CVE-2022-0778 openssl: fixed in 1.1.1n-1 (the 0: epoch dropped), looked up by source package', () => {
    const a = store.advisoriesFor('Debian:12', 'openssl').find((x) => x.id === 'CVE-2022-0778' && x.source === 'debian-oval');
    expect(a).toMatchObject({ status: 'fixed', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1n-1' }] }] });
    expect(store.vulnerability('CVE-2022-0778')?.description).toMatch(/BN_mod_sqrt\(\)/);
  });
});

describe('Ubuntu OVAL (noble)', () => {
  it('USN definitions name binary packages (python count over tests × constant variables: 2,479)', () => {
    expect(advisoriesOf('ubuntu-oval')).toBe(2479);
    const [curl] = store.advisoriesFor('Ubuntu:24.04', 'libcurl4t64').filter((a) => a.id === 'USN-6718-3');
    expect(curl).toMatchObject({
      packageKind: 'binary',
      status: 'fixed',
      ranges: [{ events: [{ introduced: '0' }, { fixed: '8.5.0-2ubuntu10.1' }] }],
      severity: [{ source: 'ubuntu', type: 'rating', label: 'Medium', rating: 'MEDIUM' }],
      summary: 'curl vulnerabilities',
      published: '2024-04-29',
    });
    expect(curl?.aliases).toEqual(expect.arrayContaining(['CVE-2024-2004', 'CVE-2024-2398']) as unknown);
    expect(store.covers('Ubuntu:24.04')).toBe(true);
    expect(store.covers('Ubuntu:24.04:LTS')).toBe(true);
  });
});

describe('Alpine secdb', () => {
  it('v3.20-main: 2,576 entries (jq), one malformed id (CVE-46838) skipped', () => {
    const feed = store.metadata().sources.find((s) => s.input.endsWith('v3.20-main.json'));
    expect(feed).toMatchObject({ records: 2575, skipped: 1 });
    expect(feed?.skipReasons?.[0]).toMatch(/linux-lts.*malformed id "CVE-46838"/);
  });

  it('an id fixed in several versions (intel-ucode CVE-2018-12126: 20190514a-r0, 20190618-r0, 20191112-r0)', () => {
    const fixed = store
      .advisoriesFor('Alpine:v3.20', 'intel-ucode')
      .filter((a) => a.id === 'CVE-2018-12126')
      .map((a) => a.ranges[0]?.events[1]?.fixed)
      .sort();
    expect(fixed).toEqual(['20190514a-r0', '20190618-r0', '20191112-r0']);
  });

  it('version "0" is not affected; "CVE-… XSA-…" gives an id and an alias', () => {
    const a = store.advisoriesFor('Alpine:v3.20', 'xen').find((x) => x.id === 'CVE-2020-29568');
    expect(a).toMatchObject({ status: 'not_affected', ranges: [], aliases: ['XSA-349'] });
    expect(store.aliasesOf?.('XSA-349')).toEqual(['CVE-2020-29568']);
    expect(store.covers('Alpine:edge')).toBe(true);
    expect(store.covers('Alpine:v3.3')).toBe(true);
  });
});

describe('OSV', () => {
  it('counts: Go 6,125 affected entries, crates.io 1,206, PyPI 2,661 less 2 non-PEP 440 fixed versions', () => {
    expect(advisoriesOf('osv-go')).toBe(6125);
    expect(advisoriesOf('osv-crates-io')).toBe(1206);
    expect(advisoriesOf('osv-pypi')).toBe(2659);
    const pypi = store.metadata().sources.find((s) => s.id === 'osv-pypi');
    expect(pypi?.skipReasons?.join('\n')).toMatch(/PYSEC-2021-371: PyPI binderhub: fixed: invalid pep440 version "0\.2\.0-n653"/);
    // 10 withdrawn PyPI records (grep '"withdrawn": "'), kept and marked, PYSEC-2022-15 too although it lists no range.
    const withdrawn = raw.prepare("SELECT count(DISTINCT a.id) FROM advisory a JOIN feed f USING (feed) WHERE f.source = 'osv-pypi' AND a.extra LIKE '%\"withdrawn\"%'").pluck().get();
    expect(withdrawn).toBe(10);
  });

  it('PYSEC-2012-1 (beaker): a GIT and an ECOSYSTEM range, 49 listed versions; PyPI names normalised', () => {
    const [a] = store.advisoriesFor('PyPI', 'Beaker').filter((x) => x.id === 'PYSEC-2012-1');
    expect(a?.ranges).toEqual([
      { type: 'GIT', repo: 'https://github.com/bbangert/beaker', events: [{ introduced: '0' }, { fixed: '91becae76101cf87ce8cbfabe3af2622fc328fe5' }] },
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.6.5.post1' }] },
    ]);
    expect(a?.versions).toHaveLength(49);
    expect(a?.aliases).toEqual(['CVE-2012-3458']);
    expect(a?.published).toBe('2012-09-15T17:55:00Z');
  });

  it('GO-2023-1840 (stdlib): several introduced/fixed pairs in one SEMVER range', () => {
    const a = store.advisoriesFor('Go', 'stdlib').find((x) => x.id === 'GO-2023-1840');
    expect(a?.ranges).toEqual([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.19.10' }, { introduced: '1.20.0-0' }, { fixed: '1.20.5' }] }]);
    expect(store.aliasesOf?.('GO-2023-1840')).toEqual(['CVE-2023-29403']);
  });

  it('RUSTSEC-2020-0036 is informational (unmaintained); its GHSA alias leads to it', () => {
    const a = store.advisoriesFor('crates.io', 'failure').find((x) => x.id === 'RUSTSEC-2020-0036');
    expect(a).toMatchObject({ informational: 'unmaintained', status: 'affected' });
    expect(a?.severity).toContainEqual({ source: 'rustsec', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, rating: 'CRITICAL' });
    // Another name of a CVE answers with the CVE's facts (here Debian's description of CVE-2019-25010).
    const info = store.vulnerability('GHSA-jq66-xh47-j9f3');
    expect(info?.id).toBe('CVE-2019-25010');
    expect(info?.aliases).toEqual(expect.arrayContaining(['GHSA-jq66-xh47-j9f3', 'RUSTSEC-2020-0036']));
    expect(info?.description).toMatch(/failure crate/);
    // jq: RUSTSEC-2019-0036 and RUSTSEC-2020-0036 both list CVE-2019-25010, CVE-2020-25575 and the two GHSA ids.
    expect(store.aliasesOf?.('GHSA-jq66-xh47-j9f3').sort()).toEqual(['CVE-2019-25010', 'CVE-2020-25575', 'GHSA-r98r-j25q-rmpr', 'RUSTSEC-2019-0036', 'RUSTSEC-2020-0036']);
    const informational = raw.prepare("SELECT count(*) FROM advisory WHERE extra LIKE '%\"informational\"%'").pluck().get();
    expect(informational).toBe(267 + 203 + 6);
  });
});

describe('CISA KEV', () => {
  it('1,404 entries joined by CVE (CVE-2021-44228)', () => {
    expect(store.metadata().sources.find((s) => s.id === 'kev')).toMatchObject({ records: 1404, skipped: 0 });
    expect(store.vulnerability('CVE-2021-44228')).toMatchObject({
      kev: { dateAdded: '2021-12-10', dueDate: '2021-12-24', knownRansomwareCampaignUse: 'Known', vendorProject: 'Apache', product: 'Log4j2', name: 'Apache Log4j2 Remote Code Execution Vulnerability' },
      cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
    });
  });
});

describe('rebuilds', () => {
  it('an unchanged input is copied, not re-read; a changed one is re-read', async () => {
    const feeds = path.join(work, 'feeds');
    cpSync(path.join(VULNS, 'alpine-secdb'), path.join(feeds, 'alpine-secdb'), { recursive: true });
    copyFileSync(path.join(VULNS, 'kev', 'known_exploited_vulnerabilities.json'), path.join(feeds, 'kev.json'));
    const out = path.join(work, 'incr', 'strata.db');
    const first = await buildDatabase({ inputs: [feeds], output: out });
    expect(first.feeds.every((f) => !f.reused)).toBe(true);
    const second = await buildDatabase({ inputs: [feeds], output: out });
    expect(second.feeds.every((f) => f.reused)).toBe(true);
    expect(second.feeds.map((f) => f.records)).toEqual(first.feeds.map((f) => f.records));
    const s2 = openVulnStore(out);
    expect(s2.advisoriesFor('Alpine:v3.20', 'intel-ucode')).toEqual(store.advisoriesFor('Alpine:v3.20', 'intel-ucode'));
    expect(s2.vulnerability('CVE-2021-44228')?.kev?.dateAdded).toBe('2021-12-10');
    s2.close();
    const f = path.join(feeds, 'alpine-secdb', 'v3.20-main.json');
    writeFileSync(f, readFileSync(f, 'utf8').replace('"name":"aom"', '"name":"aom-renamed"'));
    const third = await buildDatabase({ inputs: [feeds], output: out });
    expect(third.feeds.filter((x) => !x.reused).map((x) => path.basename(x.input))).toEqual(['v3.20-main.json']);
    const s3 = openVulnStore(out);
    expect(s3.advisoriesFor('Alpine:v3.20', 'aom')).toEqual([]);
    expect(s3.advisoriesFor('Alpine:v3.20', 'aom-renamed').length).toBeGreaterThan(0);
    expect(s3.advisoriesFor('Alpine:v3.21', 'aom').length).toBeGreaterThan(0);
    s3.close();
  }, 120_000);

  it('kill -9 half-way through a build leaves the old database in place and answering', async () => {
    const out = path.join(work, 'killed', 'strata.db');
    await buildDatabase({ inputs: [path.join(VULNS, 'kev')], output: out });
    const before = openVulnStore(out);
    const builtAt = before.metadata().builtAt;
    before.close();
    const child = childBuild(out, VULNS);
    const done = finished(child);
    // Wait until the child writes its temp database, then kill it without a chance to clean up.
    const deadline = Date.now() + 60_000;
    const tempOf = () => readdirSync(path.dirname(out)).filter((n) => n.endsWith('.tmp'));
    while (tempOf().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tempOf()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    const r = await done;
    expect(r.signal).toBe('SIGKILL');
    const after = openVulnStore(out);
    expect(after.metadata().builtAt).toBe(builtAt);
    expect(after.vulnerability('CVE-2021-44228')?.kev?.dateAdded).toBe('2021-12-10');
    expect(after.advisoriesFor('Go', 'stdlib')).toEqual([]);
    after.close();
    // The next build removes the dead build's temp file.
    await buildDatabase({ inputs: [path.join(VULNS, 'kev')], output: out });
    expect(tempOf()).toEqual([]);
  }, 120_000);

  it('a reader holding the database open during a rebuild keeps consistent answers', async () => {
    const out = path.join(work, 'reader', 'strata.db');
    await buildDatabase({ inputs: [path.join(VULNS, 'osv', 'Go')], output: out });
    const reader = openVulnStore(out);
    const stdlib = reader.advisoriesFor('Go', 'stdlib');
    expect(stdlib.length).toBe(store.advisoriesFor('Go', 'stdlib').length);
    await buildDatabase({ inputs: [path.join(VULNS, 'kev')], output: out });
    expect(reader.advisoriesFor('Go', 'stdlib')).toEqual(stdlib);
    expect(reader.covers('Go')).toBe(true);
    expect(reader.metadata().sources.map((s) => s.id)).toEqual(['osv-go']);
    const fresh = openVulnStore(out);
    expect(fresh.advisoriesFor('Go', 'stdlib')).toEqual([]);
    expect(fresh.metadata().sources.map((s) => s.id)).toEqual(['kev']);
    fresh.close();
    reader.close();
  }, 120_000);

  it('two builds at once both finish and leave one complete database', async () => {
    const out = path.join(work, 'concurrent', 'strata.db');
    // One named feed against a folder of them: the result is one build's feeds, never a mix.
    const a = finished(childBuild(out, path.join(VULNS, 'osv', 'crates.io', 'all.zip')));
    const b = finished(childBuild(out, path.join(VULNS, 'alpine-secdb')));
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
    const s = openVulnStore(out);
    const ids = [...new Set(s.metadata().sources.map((x) => x.id))];
    expect(ids).toSatisfy((x: string[]) => x.join() === 'alpine-secdb' || x.join() === 'osv-crates-io');
    expect(readdirSync(path.dirname(out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    s.close();
  }, 180_000);

  it('a feed that cannot be read fails the build and keeps the existing database', async () => {
    const out = path.join(work, 'failing', 'strata.db');
    await buildDatabase({ inputs: [path.join(VULNS, 'kev')], output: out });
    const size = statSync(out).size;
    const broken = path.join(work, 'broken-oval.xml');
    writeFileSync(broken, '<?xml version="1.0"?>\n<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"><generator><oval:product_name xmlns:oval="x">Debian</oval:product_name></generator><definitions><definition id="1" class="vulnerability"><metadata><title>CVE-2023-1 x</title></metadata></definitions>');
    await expect(buildDatabase({ inputs: [path.join(VULNS, 'kev'), `debian-oval=${broken}`], output: out })).rejects.toThrow(/cannot read feed debian-oval from .*broken-oval\.xml: .*malformed OVAL XML/);
    await expect(buildDatabase({ inputs: [path.join(work, 'no-such-feed')], output: out })).rejects.toThrow(/no such file, folder or URL/);
    expect(statSync(out).size).toBe(size);
    const s = openVulnStore(out);
    expect(s.metadata().sources.map((x) => x.id)).toEqual(['kev']);
    s.close();
    expect(readdirSync(path.dirname(out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});

describe('opening a bad database file', () => {
  it('names the problem and says to run db update or db build', () => {
    const garbage = path.join(work, 'garbage.db');
    writeFileSync(garbage, 'not a database at all, just text\n'.repeat(10));
    expect(() => openVulnStore(garbage)).toThrow(/not an SQLite file.*strata db update.*strata db build/);
    expect(() => openVulnStore(path.join(work, 'missing.db'))).toThrow(/no vulnerability database at .*missing\.db.*strata db update/);
    const truncated = path.join(work, 'truncated.db');
    copyFileSync(dbPath, truncated);
    truncateSync(truncated, Math.floor(statSync(dbPath).size / 2));
    expect(() => openVulnStore(truncated)).toThrow(/truncated.*strata db update/);
    const wrong = path.join(work, 'wrong-schema.db');
    copyFileSync(path.join(work, 'failing', 'strata.db'), wrong);
    const w = openDatabase(wrong);
    w.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    w.close();
    expect(() => openVulnStore(wrong)).toThrow(/schema version 99, this Strata reads version 2.*strata db build/);
    const other = path.join(work, 'other.db');
    const o = openDatabase(other);
    o.exec('CREATE TABLE t (x)');
    o.close();
    expect(() => openVulnStore(other)).toThrow(/corrupt or not a Strata database.*strata db update/);
    expect(existsSync(other)).toBe(true);
  });
});
