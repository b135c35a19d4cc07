/**
 * Feeds from URLs, against a loopback HTTP server serving the real snapshot
 * files: conditional GETs (ETag → 304 → rows reused), bz2/gzip/zip content,
 * a transient 503, and errors naming the URL.
 */
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDatabase, openVulnStore } from '../../src/vulndb/index.js';
import { sharedData } from '../support/paths.js';

const files: Record<string, string> = {
  '/feeds/known_exploited_vulnerabilities.json': sharedData('vulns', 'kev', 'known_exploited_vulnerabilities.json'),
  '/debian/oval/oval-definitions-bookworm.xml.bz2': sharedData('vulns', 'debian', 'oval', 'oval-definitions-bookworm.xml.bz2'),
  '/alpine/v3.20/main.json': sharedData('vulns', 'alpine-secdb', 'v3.20-main.json'),
  '/osv/Go/all.zip': sharedData('vulns', 'osv', 'Go', 'all.zip'),
  '/ubuntu/com.ubuntu.noble.usn.oval.xml.gz': sharedData('vulns', 'ubuntu-oval', 'com.ubuntu.noble.usn.oval.xml.gz'),
  '/README.md': sharedData('vulns', 'SOURCES.md'),
};
const etags: Record<string, string> = Object.fromEntries(Object.keys(files).map((p) => [p, `"v1-${p.length}"`]));
const log: { path: string; status: number }[] = [];
let failNext = new Set<string>();
let server: Server;
let base = '';
const work = mkdtempSync(path.join(os.tmpdir(), 'strata-vulndb-http-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = req.url ?? '/';
    const file = files[p];
    const reply = (status: number) => log.push({ path: p, status });
    if (failNext.has(p)) {
      failNext.delete(p);
      reply(503);
      res.writeHead(503, { 'retry-after': '0' }).end('busy');
      return;
    }
    if (!file) {
      reply(404);
      res.writeHead(404).end('not found');
      return;
    }
    if (req.headers['if-none-match'] === etags[p]) {
      reply(304);
      res.writeHead(304, { etag: etags[p] }).end();
      return;
    }
    reply(200);
    res.writeHead(200, { etag: etags[p] ?? '', 'content-length': String(statSync(file).size), 'content-type': 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('feeds over HTTP', () => {
  const out = path.join(work, 'strata.db');
  const urls = () => [
    `${base}/feeds/known_exploited_vulnerabilities.json`,
    `${base}/debian/oval/oval-definitions-bookworm.xml.bz2`,
    `alpine-secdb=${base}/alpine/v3.20/main.json`,
    `osv=${base}/osv/Go/all.zip`,
    `${base}/ubuntu/com.ubuntu.noble.usn.oval.xml.gz`,
  ];

  it('downloads, recognises and reads each feed; a 503 is retried', async () => {
    failNext = new Set(['/feeds/known_exploited_vulnerabilities.json']);
    const r = await buildDatabase({ inputs: urls(), output: out });
    expect(r.feeds.map((f) => [f.id, f.records, f.reused])).toEqual([
      ['kev', 1404, false],
      ['debian-oval', 51738, false],
      ['alpine-secdb', 2575, false],
      ['osv-go', 6125, false],
      ['ubuntu-oval', 2982, false],
    ]);
    expect(log.filter((l) => l.path.startsWith('/feeds/')).map((l) => l.status)).toEqual([503, 200]);
    const s = openVulnStore(out);
    expect(s.metadata().sources[0]).toMatchObject({ id: 'kev', input: `${base}/feeds/known_exploited_vulnerabilities.json`, version: etags['/feeds/known_exploited_vulnerabilities.json'] });
    expect(s.advisoriesFor('Debian:12', 'openssl').some((a) => a.id === 'CVE-2022-0778')).toBe(true);
    s.close();
  }, 120_000);

  it('an unchanged feed answers 304 and its rows are copied; a changed ETag re-reads only that feed', async () => {
    log.length = 0;
    const r = await buildDatabase({ inputs: urls(), output: out });
    expect(log.map((l) => l.status)).toEqual([304, 304, 304, 304, 304]);
    expect(r.feeds.every((f) => f.reused)).toBe(true);
    expect(r.feeds.map((f) => f.records)).toEqual([1404, 51738, 2575, 6125, 2982]);
    // A new ETag with the same bytes: downloaded, but the content hash says unchanged.
    etags['/alpine/v3.20/main.json'] = '"v2"';
    log.length = 0;
    const r2 = await buildDatabase({ inputs: urls(), output: out });
    expect(log.map((l) => l.status)).toEqual([304, 304, 200, 304, 304]);
    expect(r2.feeds.map((f) => f.reused)).toEqual([true, true, true, true, true]);
    // New content under the URL: only that feed is read again.
    files['/alpine/v3.20/main.json'] = sharedData('vulns', 'alpine-secdb', 'v3.21-main.json');
    etags['/alpine/v3.20/main.json'] = '"v3"';
    const r3 = await buildDatabase({ inputs: urls(), output: out });
    expect(r3.feeds.map((f) => f.reused)).toEqual([true, true, false, true, true]);
    expect(r3.feeds[2]).toMatchObject({ records: 2532, skipped: 1, version: '"v3"' });
    const s = openVulnStore(out);
    expect(s.advisoriesFor('Go', 'stdlib').length).toBeGreaterThan(100);
    expect(s.vulnerability('CVE-2021-44228')?.kev?.dateAdded).toBe('2021-12-10');
    s.close();
  }, 120_000);

  it('a missing or unrecognisable URL fails the build, naming it', async () => {
    await expect(buildDatabase({ inputs: [`${base}/nope.json`], output: out })).rejects.toThrow(/\/nope\.json: HTTP 404/);
    await expect(buildDatabase({ inputs: [`${base}/README.md`], output: out })).rejects.toThrow(/README\.md: not a feed Strata recognises; name it with --from ID=/);
    const s = openVulnStore(out);
    expect(s.metadata().sources).toHaveLength(5);
    s.close();
  }, 60_000);
});
