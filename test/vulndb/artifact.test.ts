/**
 * `db push` / `db update` against Debian's docker-registry on loopback
 * (serve-registry.sh): the database goes up as an OCI artifact and comes
 * back byte-identical, verified and swapped in atomically.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION_BUILT_AT, ANNOTATION_SCHEMA, DB_ARTIFACT_TYPE, DB_LAYER_MEDIA_TYPE, pullDatabase, pushDatabase } from '../../src/vulndb/artifact.js';
import { buildDatabase, openVulnStore, SCHEMA_VERSION } from '../../src/vulndb/index.js';
import { sharedData } from '../support/paths.js';

const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'strata-vulndb-oci-'));
const dataDir = path.join(work, 'registry');
let host = '';

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  await run('bash', [sharedData('images', 'serve-registry.sh'), String(port), dataDir], { timeout: 60_000 });
  host = `127.0.0.1:${port}`;
}, 90_000);

afterAll(async () => {
  await run('bash', [sharedData('images', 'stop-registry.sh'), dataDir]).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('the database as an OCI artifact', () => {
  it('push, then update into an empty place, byte for byte; a second update is a no-op', async () => {
    const db = path.join(work, 'built.db');
    await buildDatabase({ inputs: [sharedData('vulns', 'kev'), sharedData('vulns', 'alpine-secdb', 'v3.20-main.json')], output: db });
    const pushed = await pushDatabase(db, `${host}/strata/db`);
    expect(pushed.reference).toBe(`${host}/strata/db:${SCHEMA_VERSION}`);

    // What the registry holds: an OCI manifest with our artifact type and annotations.
    const res = await fetch(`http://${host}/v2/strata/db/manifests/${SCHEMA_VERSION}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const manifest = (await res.json()) as { artifactType: string; layers: { mediaType: string }[]; annotations: Record<string, string>; config: { mediaType: string } };
    expect(res.headers.get('docker-content-digest')).toBe(pushed.digest);
    expect(manifest.artifactType).toBe(DB_ARTIFACT_TYPE);
    expect(manifest.config.mediaType).toBe('application/vnd.oci.empty.v1+json');
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([DB_LAYER_MEDIA_TYPE]);
    expect(manifest.annotations[ANNOTATION_SCHEMA]).toBe(String(SCHEMA_VERSION));
    expect(manifest.annotations[ANNOTATION_BUILT_AT]).toBe(pushed.builtAt);

    const target = path.join(work, 'cache', 'strata.db');
    const pulled = await pullDatabase(`${host}/strata/db`, target);
    expect(pulled).toMatchObject({ updated: true, manifestDigest: pushed.digest, builtAt: pushed.builtAt });
    expect(readFileSync(target).equals(readFileSync(db))).toBe(true);
    const again = await pullDatabase(`${host}/strata/db:${SCHEMA_VERSION}`, target);
    expect(again.updated).toBe(false);
  }, 120_000);

  it('update replaces an older database while a reader keeps using the old one', async () => {
    const target = path.join(work, 'swap', 'strata.db');
    await buildDatabase({ inputs: [sharedData('vulns', 'osv', 'crates.io')], output: target });
    const reader = openVulnStore(target);
    const before = reader.advisoriesFor('crates.io', 'failure');
    expect(before.length).toBeGreaterThan(0);
    const r = await pullDatabase(`${host}/strata/db`, target);
    expect(r.updated).toBe(true);
    expect(reader.advisoriesFor('crates.io', 'failure')).toEqual(before);
    // A package the reader had not looked up yet (nothing cached for it) is read from the old file too.
    expect(reader.advisoriesFor('crates.io', 'smallvec').length).toBeGreaterThan(0);
    reader.close();
    const fresh = openVulnStore(target);
    expect(fresh.advisoriesFor('crates.io', 'failure')).toEqual([]);
    expect(fresh.vulnerability('CVE-2021-44228')?.kev?.dateAdded).toBe('2021-12-10');
    fresh.close();
  }, 120_000);

  it('refuses what is not a Strata database and a missing tag, leaving the local file alone', async () => {
    const target = path.join(work, 'cache', 'strata.db');
    const bytes = readFileSync(target);
    // An OCI image-like manifest without our layer.
    const empty = Buffer.from('{}');
    const digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(empty).digest('hex')}`;
    const up = await fetch(`http://${host}/v2/other/thing/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(up.headers.get('location') ?? '', `http://${host}`);
    loc.searchParams.set('digest', digest);
    await fetch(loc, { method: 'PUT', body: empty, headers: { 'content-type': 'application/octet-stream' } });
    const m = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', digest, size: 2 }, layers: [] });
    const put = await fetch(`http://${host}/v2/other/thing/manifests/${SCHEMA_VERSION}`, { method: 'PUT', body: m, headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
    expect(put.status).toBe(201);
    await expect(pullDatabase(`${host}/other/thing`, target)).rejects.toThrow(/is not a Strata database artifact/);
    await expect(pullDatabase(`${host}/strata/db:nope`, target)).rejects.toThrow(/not found|404|unknown/i);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  }, 60_000);
});
