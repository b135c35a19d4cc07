/**
 * The matcher remembers per judged package row and version what it decided,
 * and per vulnerability facts the package-independent part of a finding
 * (rules.ts decidePackage, finding.ts findingOfDecided). What a caller sees
 * must not depend on it: each call returns its own findings, what findings
 * share is frozen, and new facts from the store give new findings.
 */
import { describe, expect, it } from 'vitest';
import type { Advisory, AdvisorySnapshot, LookupRequest, VulnInfo, VulnStore } from '../core/advisory.js';
import type { Package } from '../core/package.js';
import type { LayerInfo } from '../core/result.js';
import { MemoryVulnStore } from '../vulndb/store/memory.js';
import { matchInventory } from './matcher.js';

const DEBIAN = 'Debian:12';

function deb(name: string, version: string, source: string): Package {
  return {
    name,
    version,
    ecosystem: DEBIAN,
    kind: 'os',
    purl: `pkg:deb/debian/${name}@${version}`,
    source: { name: source, version },
    paths: [`var/lib/dpkg/status.d/${name}`],
    foundBy: 'dpkg',
    layer: 'sha256:aaaa',
  };
}

const DSA: Advisory = {
  id: 'DSA-5532-1',
  source: 'debian-dsa',
  ecosystem: DEBIAN,
  package: 'openssl',
  aliases: ['CVE-2023-5363'],
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u3' }] }],
  status: 'fixed',
  severity: [],
  references: ['https://security-tracker.debian.org/tracker/DSA-5532-1'],
};

const INFO: VulnInfo = {
  id: 'CVE-2023-5363',
  aliases: [],
  summary: 'openssl: incorrect cipher key and IV length processing',
  severity: [{ source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5 }],
  kev: { dateAdded: '2024-01-01' },
  epss: { score: 0.1, percentile: 0.5 },
};

const inventory = { packages: [deb('libssl3', '3.0.11-1~deb12u2', 'openssl'), deb('openssl', '3.0.11-1~deb12u2', 'openssl')] };
const layers: LayerInfo[] = [
  { diffId: 'sha256:aaaa', digest: 'sha256:bbbb', size: 1, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', createdBy: 'RUN apt-get install openssl' },
];

describe('matchInventory across calls', () => {
  it('returns each call its own findings, naming each package, with what they share frozen', async () => {
    const store = new MemoryVulnStore({ advisories: [DSA], vulnerabilities: [INFO] });
    const first = await matchInventory(inventory, store, { layers });
    const second = await matchInventory(inventory, store, { layers });
    expect(second).toEqual(first);
    expect(first.findings.map((f) => `${f.id} ${f.package.name} ${f.severity} ${f.layer?.createdBy ?? '-'}`)).toEqual([
      'CVE-2023-5363 libssl3 HIGH RUN apt-get install openssl',
      'CVE-2023-5363 openssl HIGH RUN apt-get install openssl',
    ]);
    const [a, b] = first.findings;
    if (!a || !b) throw new Error('expected two findings');
    expect(a).not.toBe(second.findings[0]);
    expect(a.package).not.toBe(b.package);
    expect(a.layer).not.toBe(b.layer);

    // A caller may change its own findings; what they share with other findings (and later calls) does not change.
    a.severity = 'LOW';
    a.package.name = 'changed';
    expect(() => a.aliases.push('X')).toThrow(TypeError);
    expect(() => a.cvss.push({ source: 'x', version: '3.1', vector: 'v' })).toThrow(TypeError);
    expect(() => {
      a.explanation.rule = 'changed';
    }).toThrow(TypeError);
    expect(() => a.explanation.advisories.pop()).toThrow(TypeError);
    expect(() => {
      if (a.kev) a.kev.dateAdded = 'changed';
    }).toThrow(TypeError);
    expect(() => a.references?.push('changed')).toThrow(TypeError);
    const third = await matchInventory(inventory, store, { layers });
    expect(third).toEqual(second);
    expect(INFO.kev?.dateAdded).toBe('2024-01-01');
  });

  it('builds findings anew when the store hands out new facts for a vulnerability', async () => {
    const memory = new MemoryVulnStore({ advisories: [DSA], vulnerabilities: [INFO] });
    let info: VulnInfo = INFO;
    const store: VulnStore = {
      lookup: (request: LookupRequest): Promise<AdvisorySnapshot> => memory.lookup(request),
      vulnerabilities: (ids) => Promise.resolve(new Map(ids.includes(info.id) ? [[info.id, info]] : [])),
      metadata: () => memory.metadata(),
      close: () => undefined,
    };
    const before = await matchInventory(inventory, store);
    info = { ...INFO, summary: 'new summary', severity: [{ source: 'nvd', type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }] };
    const after = await matchInventory(inventory, store);
    expect(before.findings.map((f) => `${f.severity} ${f.title ?? ''}`)).toEqual([
      'HIGH openssl: incorrect cipher key and IV length processing',
      'HIGH openssl: incorrect cipher key and IV length processing',
    ]);
    expect(after.findings.map((f) => `${f.severity} ${f.title ?? ''}`)).toEqual(['CRITICAL new summary', 'CRITICAL new summary']);
    info = { ...INFO, rejected: true };
    expect((await matchInventory(inventory, store)).findings).toEqual([]);
  });

  it('judges another version of the same package at its own version', async () => {
    const store = new MemoryVulnStore({ advisories: [DSA], vulnerabilities: [INFO] });
    expect((await matchInventory(inventory, store)).findings).toHaveLength(2);
    const fixed = { packages: [deb('libssl3', '3.0.11-1~deb12u3', 'openssl')] };
    expect((await matchInventory(fixed, store)).findings).toEqual([]);
    expect((await matchInventory(inventory, store)).findings).toHaveLength(2);
  });
});
