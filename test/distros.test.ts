/**
 * Walks the distro descriptors (src/core/distros.ts) through every stage
 * that derives a table from them and checks the stages agree: each
 * descriptor's scheme exists and versions its ecosystems, its purls
 * round-trip through inventory/purl and sbom/purl to the same family, its
 * feed spellings are canonical, its feeds are sources Strata reads, its
 * release files are detected. A descriptor that breaks one of these fails
 * here, before any image does.
 */
import { describe, expect, it, vi } from 'vitest';
import { DISTROS, distroById, distroByName, type DistroDescriptor } from '../src/core/distros.js';
import { canonicalOsEcosystem, distroEcosystem, FALLBACK_OS_ECOSYSTEM, packageTypeOf } from '../src/core/ecosystem.js';
import { silentLogger } from '../src/core/log.js';
import { DISTRO_PATHS, detectDistro } from '../src/inventory/distro/detect.js';
import { parseReleaseLine } from '../src/inventory/distro/os-release.js';
import { osPurl } from '../src/inventory/purl.js';
import { isOsEcosystem } from '../src/report/common.js';
import { ecosystemForDistro, family, packageFromPurl } from '../src/sbom/purl.js';
import { schemeById, schemeForEcosystem } from '../src/versioning/index.js';
import { ecosystemFamily } from '../src/vulndb/names.js';
import { sourceById } from '../src/vulndb/sources/index.js';

/** A release of each ID, as os-release would name it. */
function releaseOf(d: DistroDescriptor, id: string): { family: string; version: string } {
  return { family: id, version: d.rolling ? '20240101' : '9.4' };
}

const each = DISTROS.map((d) => [d.name, d] as const);

describe('the descriptor list', () => {
  it('names each family, os-release ID and purl namespace once', () => {
    const ids = DISTROS.flatMap((d) => d.ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(DISTROS.map((d) => d.name)).size).toBe(DISTROS.length);
    expect(new Set(DISTROS.map((d) => d.purl.namespace)).size).toBe(DISTROS.length);
    const feeds = DISTROS.flatMap((d) => (d.feeds ?? []).map((f) => f.source));
    expect(new Set(feeds).size).toBe(feeds.length);
  });

  it.each(each)('%s: its fields refer to its own IDs, and families with their own ratings have feeds', (_, d) => {
    expect(d.ids.length).toBeGreaterThan(0);
    for (const id of [...(d.purl.ids ?? []), ...(d.versionlessIds ?? []), ...Object.values(d.releaseLines ?? {})]) expect(d.ids).toContain(id);
    if (d.ratesOwnSeverity) expect(d.feeds?.length).toBeGreaterThan(0);
    for (const f of d.feeds ?? []) for (const u of f.live ?? []) expect(u.url).toMatch(/^https:\/\//);
  });
});

describe.each(each)('%s', (_, d) => {
  it('uses a version scheme that exists and fits its package type, for each of its ecosystems', () => {
    expect(schemeById(d.scheme)?.id).toBe(d.scheme);
    // One package manager, one version scheme.
    for (const other of DISTROS) if (other.packageType === d.packageType) expect(other.scheme).toBe(d.scheme);
    for (const id of d.ids) {
      expect(packageTypeOf(id)).toBe(d.packageType);
      expect(distroById(id)).toBe(d);
      const eco = distroEcosystem(releaseOf(d, id));
      expect(ecosystemFamily(eco)).toBe(d.name);
      expect(distroByName(ecosystemFamily(eco))).toBe(d);
      expect(schemeForEcosystem(eco)?.id).toBe(d.scheme);
      expect(isOsEcosystem(eco)).toBe(true);
      if (d.rolling) expect(eco).toBe(d.name);
    }
  });

  it('names releases canonically: feed spellings fold onto them and they are fixed points', () => {
    for (const id of d.ids) {
      const eco = distroEcosystem(releaseOf(d, id));
      expect(canonicalOsEcosystem(eco)).toBe(eco);
    }
  });

  it('writes purls that sbom/purl reads back to the same family, package type and ecosystem family', () => {
    for (const id of d.ids) {
      const release = releaseOf(d, id);
      const distro = { ...release, ecosystem: distroEcosystem(release) };
      const text = osPurl(distro, { type: d.packageType, name: 'pkg', version: '1:1.0-1', arch: 'x86_64', epoch: 1 });
      if (!d.purl.ids || d.purl.ids.includes(id)) expect(text.startsWith(`pkg:${d.packageType}/${d.purl.namespace}/pkg@`)).toBe(true);
      const read = packageFromPurl(text);
      expect(read.type).toBe(d.packageType);
      expect(read.kind).toBe('os');
      expect(distroById(read.distro?.family ?? '')).toBe(d);
      const eco = ecosystemForDistro(read.distro!);
      expect(eco && distroByName(ecosystemFamily(eco))).toBe(d);
    }
    // A purl with only the namespace names the family's first ID.
    expect(family(d.purl.namespace)).toBe(d.ids[0]);
    expect(packageFromPurl(`pkg:${d.packageType}/${d.purl.namespace}/pkg@1.0`).distro).toEqual({ family: d.ids[0] });
    // Rolling distros need no release to name their ecosystem.
    expect(ecosystemForDistro({ family: d.ids[0]! })).toBe(d.rolling ? d.name : undefined);
  });

  it('names feeds Strata reads', () => {
    for (const f of d.feeds ?? []) expect(sourceById(f.source)?.id).toBe(f.source);
  });

  it('is detected from its release files', () => {
    for (const file of d.releaseFiles ?? []) expect(DISTRO_PATHS).toContain(file);
    const file = d.releaseFiles?.[0];
    for (const [prefix, id] of Object.entries(d.releaseLines ?? {})) {
      const line = `${prefix} release 9.4 (Blue Onyx)`;
      expect(parseReleaseLine(line)?.family).toBe(id);
      const found = detectDistro((p) => (p === file ? { path: p, file: { text: `${line}\n` } } : undefined));
      expect(found?.family).toBe(id);
      expect(distroByName(ecosystemFamily(found?.ecosystem ?? ''))).toBe(d);
    }
  });
});

/** src/versioning/index.ts EXACT and FAMILY as they were before the descriptors. */
const OLD_EXACT: Record<string, string> = {
  npm: 'semver',
  'crates.io': 'cargo',
  PyPI: 'pep440',
  Maven: 'maven',
  Go: 'golang',
  RubyGems: 'gem',
  NuGet: 'nuget',
  Packagist: 'composer',
  Wolfi: 'apk',
  Chainguard: 'apk',
};
const OLD_FAMILY: Record<string, string> = {
  Debian: 'dpkg',
  Ubuntu: 'dpkg',
  Alpine: 'apk',
  Wolfi: 'apk',
  Chainguard: 'apk',
  'Red Hat': 'rpm',
  'Rocky Linux': 'rpm',
  AlmaLinux: 'rpm',
  openSUSE: 'rpm',
  SUSE: 'rpm',
  'Photon OS': 'rpm',
  Mariner: 'rpm',
  'Azure Linux': 'rpm',
  'Amazon Linux': 'rpm',
  'Oracle Linux': 'rpm',
  Fedora: 'rpm',
  CentOS: 'rpm',
  Maven: 'maven',
  Packagist: 'composer',
};
/** src/report/common.ts OS_ECOSYSTEMS as it was. */
const OLD_OS_ECOSYSTEMS = [
  'Debian',
  'Ubuntu',
  'Alpine',
  'Wolfi',
  'Chainguard',
  'Red Hat',
  'CentOS',
  'Rocky Linux',
  'AlmaLinux',
  'Fedora',
  'Amazon Linux',
  'Oracle Linux',
  'openSUSE',
  'SUSE',
  'Photon OS',
  'Mariner',
  'Azure Linux',
  'RPM',
];

describe('derived tables equal the ones they replaced', () => {
  const names = [...new Set([...Object.keys(OLD_EXACT), ...Object.keys(OLD_FAMILY), ...OLD_OS_ECOSYSTEMS, 'Pub', 'Hex', 'Linux', 'debian'])];
  const ecosystems = names.flatMap((n) => [n, `${n}:1`, `${n}:v3.20`, `${n}:https://repo.example`]);

  it('versioning/index.ts: the scheme of every ecosystem', () => {
    const old = (eco: string) => OLD_EXACT[eco] ?? (eco.includes(':') ? OLD_FAMILY[eco.slice(0, eco.indexOf(':'))] : undefined);
    for (const eco of ecosystems) expect([eco, schemeForEcosystem(eco)?.id]).toEqual([eco, old(eco)]);
  });

  it('report/common.ts: which ecosystems are a distribution', () => {
    const old = (eco: string) => OLD_OS_ECOSYSTEMS.includes(eco.split(':', 1)[0]!) || (!['npm', 'PyPI', 'Maven', 'RubyGems', 'Go', 'crates.io', 'Packagist', 'NuGet', 'Pub', 'Hex'].includes(eco) && eco.includes(':'));
    for (const eco of ecosystems) expect([eco, isOsEcosystem(eco)]).toEqual([eco, old(eco)]);
    for (const fallback of Object.values(FALLBACK_OS_ECOSYSTEM)) expect(isOsEcosystem(fallback)).toBe(true);
  });
});

// liveFeeds lists Alpine branches over the network: answer from here.
vi.mock('../src/util/http-proxy.js', () => ({
  outboundFetch: vi.fn(() => Promise.resolve(new Response('<a href="v3.9/">v3.9/</a> <a href="v3.20/">v3.20/</a> <a href="edge/">edge/</a>'))),
}));

describe('live feeds', () => {
  it('are the specs, in the order, that live.ts listed before the descriptors', async () => {
    const { liveFeeds } = await import('../src/vulndb/live.js');
    const { specs, optional } = await liveFeeds(silentLogger, undefined, new Date('2003-06-01T00:00:00Z'));
    const osv = 'https://osv-vulnerabilities.storage.googleapis.com';
    const salsa = 'https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data';
    const oval = 'https://security-metadata.canonical.com/oval';
    expect(specs).toEqual([
      ...['PyPI', 'npm', 'Go', 'crates.io', 'Maven', 'RubyGems', 'NuGet', 'Packagist'].map((e) => `osv=${osv}/${encodeURIComponent(e)}/all.zip`),
      'debian-tracker-json=https://security-tracker.debian.org/tracker/data/json',
      `debian-dsa=${salsa}/DSA/list`,
      `debian-dla=${salsa}/DLA/list`,
      'alpine-secdb=https://secdb.alpinelinux.org/v3.20/main.json',
      'alpine-secdb=https://secdb.alpinelinux.org/v3.20/community.json',
      'alpine-secdb=https://secdb.alpinelinux.org/edge/main.json',
      'alpine-secdb=https://secdb.alpinelinux.org/edge/community.json',
      'wolfi-secdb=https://packages.wolfi.dev/os/security.json',
      'chainguard-secdb=https://packages.cgr.dev/chainguard/security.json',
      ...['bionic', 'focal', 'jammy', 'noble'].map((c) => `ubuntu-oval=${oval}/com.ubuntu.${c}.usn.oval.xml.bz2`),
      'nvd=https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-2002.json.gz',
      'nvd=https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-2003.json.gz',
      'kev=https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
      'epss=https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
    ]);
    expect([...optional]).toEqual([
      'alpine-secdb=https://secdb.alpinelinux.org/v3.20/community.json',
      'alpine-secdb=https://secdb.alpinelinux.org/edge/community.json',
      'nvd=https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-2003.json.gz',
    ]);
  });
});
