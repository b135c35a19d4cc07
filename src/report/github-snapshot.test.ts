import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { buildGithubSnapshot, renderGithubSnapshot } from './github-snapshot.js';
import { alpineScan, debianAppScan, IMAGE, PKG } from './testing/scan-results.js';
import { githubSnapshotValidator as validate } from './testing/validators.js';

const SHA = 'ddc951f4b1293222421f2c8df679786153acf689';
const OPTS = { sha: SHA, ref: 'refs/heads/main', correlator: 'build_scan', jobId: '8123456789', now: new Date('2026-11-26T10:00:00Z') };

describe('GitHub dependency snapshot', () => {
  const snap = buildGithubSnapshot([debianAppScan()], OPTS);

  it('has the documented shape of a dependency submission', () => {
    for (const doc of [snap, buildGithubSnapshot([debianAppScan(), alpineScan()], OPTS)]) {
      expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(snap).toMatchObject({
      version: 0,
      job: { correlator: 'build_scan', id: '8123456789' },
      sha: SHA,
      ref: 'refs/heads/main',
      detector: { name: 'strata' },
      scanned: '2026-11-26T10:00:00.000Z',
    });
    const broken = structuredClone(snap) as unknown as { manifests: Record<string, { resolved: Record<string, { scope: string }> }> };
    Object.values(Object.values(broken.manifests)[0]!.resolved)[0]!.scope = 'test';
    expect(validate(broken)).toBe(false);
  });

  it('has one manifest per target, resolved by purl', () => {
    expect(Object.keys(snap.manifests)).toEqual([`${IMAGE} (debian 12.4)`, 'Python', 'app/package-lock.json', 'usr/local/bin/esbuild']);
    const os = snap.manifests[`${IMAGE} (debian 12.4)`]!;
    expect(os.file).toBeUndefined();
    expect(os.resolved[PKG.libssl3.purl]).toEqual({ package_url: PKG.libssl3.purl, scope: 'runtime', dependencies: [] });
    expect(os.metadata).toMatchObject({ 'strata:artifact': IMAGE, 'strata:os': 'debian 12.4', 'strata:type': 'debian' });
    const lock = snap.manifests['app/package-lock.json']!;
    expect(lock.file).toEqual({ source_location: 'app/package-lock.json' });
    expect(lock.resolved[PKG.babelCore.purl]).toEqual({ package_url: 'pkg:npm/%40babel/core@7.22.9', relationship: 'direct', scope: 'development', dependencies: [] });
    expect(Object.keys(snap.manifests['usr/local/bin/esbuild']!.resolved)).toEqual([PKG.esbuild.purl, PKG.xsys.purl, PKG.stdlib.purl]);
  });

  it('leaves out language packages a distribution package owns', () => {
    const python = snap.manifests.Python!;
    expect(Object.keys(python.resolved)).toEqual([PKG.urllib3.purl]);
  });

  it('needs the commit and the ref, and says so', () => {
    const tryWith = (o: object) => () => buildGithubSnapshot([debianAppScan()], o);
    expect(tryWith({ ref: 'refs/heads/main' })).toThrow(StrataError);
    expect(tryWith({ ref: 'refs/heads/main' })).toThrow(/commit SHA.*GITHUB_SHA/);
    expect(tryWith({ sha: 'abc123', ref: 'refs/heads/main' })).toThrow(/40-character/);
    expect(tryWith({ sha: SHA })).toThrow(/GITHUB_REF/);
    expect(buildGithubSnapshot([debianAppScan()], { sha: SHA.toUpperCase(), ref: 'main' })).toMatchObject({ sha: SHA, ref: 'refs/heads/main' });
  });

  it('several images: OS manifests are per image, language manifests name their image', () => {
    const multi = buildGithubSnapshot([debianAppScan(), alpineScan()], OPTS);
    expect(Object.keys(multi.manifests)).toContain('docker.io/library/alpine:3.19 (alpine 3.19.1)');
    expect(Object.keys(multi.manifests)).toContain(`Python (${IMAGE})`);
    expect(JSON.parse(renderGithubSnapshot([debianAppScan()], OPTS))).toEqual(JSON.parse(JSON.stringify(snap)));
  });
});
