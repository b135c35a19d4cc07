/**
 * Realistic ScanResults for the report tests: a Debian 12 application image
 * with OS packages (openssl/libssl3 from source openssl, glibc, zlib with an
 * epoch), Python packages (one owned by a Debian package), a Go binary
 * (module, dependency, stdlib) and an npm lockfile. Versions, ids and
 * tracker states are the ones Debian, the Go vulndb and GHSA published.
 */
import type { Finding, Suppressed } from '../../core/finding.js';
import type { Package } from '../../core/package.js';
import type { LayerInfo, ScanResult } from '../../core/result.js';

export const IMAGE = 'registry.example.com/team/web:1.4.2';
export const MANIFEST_DIGEST = 'sha256:5f6a0e9e0d4c8b8f0b1d57b1d1a0c4f3d2b0a6a7c9e8f1a2b3c4d5e6f7a8b9c0';

export const LAYERS: LayerInfo[] = [
  {
    digest: 'sha256:1b13d4e1a46e5e969702ec92b7c787c1b6891bff7c21ad378ff6dbc9e751d5d4',
    diffId: 'sha256:7292cf786aa89399bb4d4c9ab3e8f5d3f2d4f8e1b0c8a3b6e4f1d2c3b4a59687',
    size: 29_150_000,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    createdBy: '/bin/sh -c #(nop) ADD file:2a949686d9886ac7c10582a6c29116fd29d3077d02755e87e111870d63607725 in / ',
  },
  {
    digest: 'sha256:9a3b8f6c1e2d4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b',
    diffId: 'sha256:c8e2f1d0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2',
    size: 48_700_000,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends python3-pip python3-yaml # buildkit',
  },
  {
    digest: 'sha256:0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e',
    diffId: 'sha256:e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2',
    size: 9_300_000,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    createdBy: 'COPY /src/dist /app # buildkit',
  },
];

const [BASE, APT, APP] = LAYERS as [LayerInfo, LayerInfo, LayerInfo];

function deb(name: string, version: string, src: string, srcVersion: string, licenses: string[], layer = BASE): Package {
  const upstream = src === name ? '' : srcVersion === version ? `&upstream=${src}` : `&upstream=${src}%40${encodeURIComponent(srcVersion)}`;
  return {
    name,
    version,
    ecosystem: 'Debian:12',
    kind: 'os',
    purl: `pkg:deb/debian/${name}@${encodeURIComponent(version).replace(/%7E/g, '~')}?arch=amd64&distro=debian-12${upstream}`,
    source: { name: src, version: srcVersion },
    arch: 'amd64',
    layer: layer.diffId,
    paths: ['var/lib/dpkg/status'],
    foundBy: 'dpkg',
    licenses,
    files: [`usr/share/doc/${name}/copyright`],
  };
}

export const PKG = {
  libssl3: deb('libssl3', '3.0.11-1~deb12u1', 'openssl', '3.0.11-1~deb12u1', ['Apache-2.0']),
  openssl: deb('openssl', '3.0.11-1~deb12u1', 'openssl', '3.0.11-1~deb12u1', ['Apache-2.0']),
  libc6: deb('libc6', '2.36-9+deb12u1', 'glibc', '2.36-9+deb12u1', ['LGPL-2.1-or-later', 'GPL-2.0-or-later']),
  zlib1g: deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib', '1:1.2.13.dfsg-1', ['Zlib']),
  pythonYamlDeb: deb('python3-yaml', '6.0-3+b2', 'pyyaml', '6.0-3', ['MIT'], APT),
  pyyaml: {
    name: 'PyYAML',
    version: '6.0',
    ecosystem: 'PyPI',
    kind: 'lang',
    purl: 'pkg:pypi/pyyaml@6.0',
    layer: APT.diffId,
    paths: ['usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA'],
    foundBy: 'python',
    licenses: ['MIT'],
    ownedBy: { name: 'python3-yaml', ecosystem: 'Debian:12' },
  } satisfies Package,
  urllib3: {
    name: 'urllib3',
    version: '2.0.6',
    ecosystem: 'PyPI',
    kind: 'lang',
    purl: 'pkg:pypi/urllib3@2.0.6',
    cpe: 'cpe:2.3:a:python:urllib3:2.0.6:*:*:*:*:python:*:*',
    layer: APP.diffId,
    paths: ['usr/local/lib/python3.11/site-packages/urllib3-2.0.6.dist-info/METADATA'],
    foundBy: 'python',
    licenses: ['MIT'],
  } satisfies Package,
  esbuild: {
    name: 'github.com/evanw/esbuild',
    version: 'v0.18.20',
    ecosystem: 'Go',
    kind: 'lang',
    purl: 'pkg:golang/github.com/evanw/esbuild@v0.18.20',
    layer: APP.diffId,
    paths: ['usr/local/bin/esbuild'],
    foundBy: 'go-binary',
    metadata: { mainModule: true },
  } satisfies Package,
  xsys: {
    name: 'golang.org/x/sys',
    version: 'v0.10.0',
    ecosystem: 'Go',
    kind: 'lang',
    purl: 'pkg:golang/golang.org/x/sys@v0.10.0',
    layer: APP.diffId,
    paths: ['usr/local/bin/esbuild'],
    foundBy: 'go-binary',
  } satisfies Package,
  stdlib: {
    name: 'stdlib',
    version: '1.20.12',
    ecosystem: 'Go',
    kind: 'lang',
    purl: 'pkg:golang/stdlib@1.20.12',
    layer: APP.diffId,
    paths: ['usr/local/bin/esbuild'],
    foundBy: 'go-binary',
  } satisfies Package,
  lodash: {
    name: 'lodash',
    version: '4.17.20',
    ecosystem: 'npm',
    kind: 'lang',
    purl: 'pkg:npm/lodash@4.17.20',
    layer: APP.diffId,
    paths: ['app/package-lock.json'],
    foundBy: 'npm',
    licenses: ['MIT'],
    metadata: { dev: false },
  } satisfies Package,
  babelCore: {
    name: '@babel/core',
    version: '7.22.9',
    ecosystem: 'npm',
    kind: 'lang',
    purl: 'pkg:npm/%40babel/core@7.22.9',
    layer: APP.diffId,
    paths: ['app/package-lock.json'],
    foundBy: 'npm',
    licenses: ['MIT'],
    metadata: { dev: true, indirect: false },
  } satisfies Package,
} as const;

function layerOf(p: Package): Finding['layer'] {
  const l = LAYERS.find((x) => x.diffId === p.layer);
  return l ? { diffId: l.diffId, digest: l.digest, createdBy: l.createdBy } : undefined;
}

function pkgRef(p: Package): Finding['package'] {
  return { name: p.name, version: p.version, ecosystem: p.ecosystem, purl: p.purl, source: p.source, paths: p.paths };
}

/** CVE-2023-5363 (DSA-5532-1): fixed for bookworm in openssl 3.0.11-1~deb12u2. */
function cve20235363(p: Package): Finding {
  return {
    id: 'CVE-2023-5363',
    aliases: ['DSA-5532-1'],
    package: pkgRef(p),
    installedVersion: '3.0.11-1~deb12u1',
    fixedVersion: '3.0.11-1~deb12u2',
    status: 'fixed',
    severity: 'HIGH',
    severitySource: 'nvd',
    cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5 }],
    epss: { score: 0.00242, percentile: 0.6213, date: '2026-11-20' },
    layer: layerOf(p),
    title: 'openssl: Incorrect cipher key and IV length processing',
    description:
      'Issue summary: A bug has been identified in the processing of key and initialisation vector (IV) lengths. This can lead to potential truncation or overruns during the initialisation of some symmetric ciphers.',
    references: ['https://www.openssl.org/news/secadv/20231024.txt', 'https://www.debian.org/security/2023/dsa-5532'],
    published: '2023-10-25T18:17:43Z',
    explanation: {
      matchedBy: 'source-package',
      lookupName: 'openssl',
      comparedVersion: '3.0.11-1~deb12u1',
      scheme: 'dpkg',
      advisories: [
        { id: 'DSA-5532-1', source: 'debian-tracker', ecosystem: 'Debian:12' },
        { id: 'CVE-2023-5363', source: 'nvd', ecosystem: 'Debian:12' },
      ],
      rule: 'installed 3.0.11-1~deb12u1 < fixed 3.0.11-1~deb12u2 (DSA-5532-1)',
      fixed: '3.0.11-1~deb12u2',
    },
  };
}

/** CVE-2023-5678: a <no-dsa> issue fixed for bookworm in the 3.0.13-1~deb12u1 point release. */
function cve20235678(p: Package): Finding {
  return {
    id: 'CVE-2023-5678',
    aliases: [],
    package: pkgRef(p),
    installedVersion: '3.0.11-1~deb12u1',
    fixedVersion: '3.0.13-1~deb12u1',
    status: 'fixed',
    severity: 'MEDIUM',
    severitySource: 'nvd',
    cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', score: 5.3 }],
    layer: layerOf(p),
    title: 'openssl: Generating excessively long X9.42 DH keys or checking excessively long X9.42 DH keys or parameters may be very slow',
    references: ['https://www.openssl.org/news/secadv/20231106.txt'],
    published: '2023-11-06T16:15:42Z',
    explanation: {
      matchedBy: 'source-package',
      lookupName: 'openssl',
      comparedVersion: '3.0.11-1~deb12u1',
      scheme: 'dpkg',
      advisories: [{ id: 'CVE-2023-5678', source: 'debian-tracker', ecosystem: 'Debian:12' }],
      rule: 'installed 3.0.11-1~deb12u1 < fixed 3.0.13-1~deb12u1',
      fixed: '3.0.13-1~deb12u1',
    },
  };
}

export const FINDINGS = {
  libssl3_5363: cve20235363(PKG.libssl3),
  openssl_5363: cve20235363(PKG.openssl),
  libssl3_5678: cve20235678(PKG.libssl3),
  /** Looney Tunables: in CISA KEV. */
  libc6_4911: {
    id: 'CVE-2023-4911',
    aliases: ['DSA-5514-1'],
    package: pkgRef(PKG.libc6),
    installedVersion: '2.36-9+deb12u1',
    fixedVersion: '2.36-9+deb12u3',
    status: 'fixed',
    severity: 'HIGH',
    severitySource: 'nvd',
    cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', score: 7.8 }],
    kev: {
      dateAdded: '2023-11-21',
      dueDate: '2023-12-12',
      knownRansomwareCampaignUse: 'Unknown',
      vendorProject: 'GNU',
      product: 'GNU C Library',
      name: 'GNU C Library Buffer Overflow Vulnerability',
    },
    epss: { score: 0.0164, percentile: 0.8806 },
    layer: layerOf(PKG.libc6),
    title: "glibc: buffer overflow in ld.so leading to privilege escalation",
    references: ['https://www.qualys.com/2023/10/03/cve-2023-4911/looney-tunables-local-privilege-escalation-glibc-ld-so.txt'],
    published: '2023-10-03T18:15:10Z',
    explanation: {
      matchedBy: 'source-package',
      lookupName: 'glibc',
      comparedVersion: '2.36-9+deb12u1',
      scheme: 'dpkg',
      advisories: [{ id: 'DSA-5514-1', source: 'debian-tracker', ecosystem: 'Debian:12' }],
      rule: 'installed 2.36-9+deb12u1 < fixed 2.36-9+deb12u3 (DSA-5514-1)',
      fixed: '2.36-9+deb12u3',
    },
  } satisfies Finding,
  /** An `unimportant` tracker entry: affected, no fix, Debian's own low rating. */
  libc6_4756: {
    id: 'CVE-2010-4756',
    aliases: [],
    package: pkgRef(PKG.libc6),
    installedVersion: '2.36-9+deb12u1',
    status: 'affected',
    severity: 'LOW',
    severitySource: 'debian',
    cvss: [{ source: 'nvd', version: '2.0', vector: 'AV:N/AC:L/Au:S/C:N/I:N/A:P', score: 4.0 }],
    layer: layerOf(PKG.libc6),
    title: 'glibc: glob implementation can cause excessive CPU and memory consumption due to crafted glob expressions',
    explanation: {
      matchedBy: 'source-package',
      lookupName: 'glibc',
      comparedVersion: '2.36-9+deb12u1',
      scheme: 'dpkg',
      advisories: [{ id: 'CVE-2010-4756', source: 'debian-tracker', ecosystem: 'Debian:12' }],
      rule: '<unfixed> (unimportant)',
      trackerState: '<unfixed>',
    },
  } satisfies Finding,
  /** minizip is not built in Debian's zlib: <ignored>, shown as will_not_fix. */
  zlib_45853: {
    id: 'CVE-2023-45853',
    aliases: [],
    package: pkgRef(PKG.zlib1g),
    installedVersion: '1:1.2.13.dfsg-1',
    status: 'will_not_fix',
    severity: 'CRITICAL',
    severitySource: 'nvd',
    cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 }],
    layer: layerOf(PKG.zlib1g),
    title: 'zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6',
    explanation: {
      matchedBy: 'source-package',
      lookupName: 'zlib',
      comparedVersion: '1:1.2.13.dfsg-1',
      scheme: 'dpkg',
      advisories: [{ id: 'CVE-2023-45853', source: 'debian-tracker', ecosystem: 'Debian:12' }],
      rule: '<ignored> (contrib/minizip not built)',
      trackerState: '<ignored>',
    },
  } satisfies Finding,
  urllib3_45803: {
    id: 'CVE-2023-45803',
    aliases: ['GHSA-g4mx-q9vg-27p4', 'PYSEC-2023-212'],
    package: pkgRef(PKG.urllib3),
    installedVersion: '2.0.6',
    fixedVersion: '2.0.7',
    status: 'fixed',
    severity: 'MEDIUM',
    severitySource: 'ghsa',
    cvss: [{ source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N', score: 4.2 }],
    layer: layerOf(PKG.urllib3),
    title: "urllib3's request body not stripped after redirect from 303 status changes request method to GET",
    references: ['https://github.com/urllib3/urllib3/security/advisories/GHSA-g4mx-q9vg-27p4'],
    published: '2023-10-17T20:15:10Z',
    explanation: {
      matchedBy: 'package',
      lookupName: 'urllib3',
      comparedVersion: '2.0.6',
      scheme: 'pep440',
      advisories: [{ id: 'GHSA-g4mx-q9vg-27p4', source: 'osv-pypi', ecosystem: 'PyPI' }],
      rule: '2.0.6 >= introduced 2.0.0 and < fixed 2.0.7',
      introduced: '2.0.0',
      fixed: '2.0.7',
    },
  } satisfies Finding,
  stdlib_45288: {
    id: 'CVE-2023-45288',
    aliases: ['GO-2024-2687'],
    package: pkgRef(PKG.stdlib),
    installedVersion: '1.20.12',
    fixedVersion: '1.21.9',
    status: 'fixed',
    severity: 'HIGH',
    severitySource: 'nvd',
    cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 }],
    layer: layerOf(PKG.stdlib),
    title: 'HTTP/2 CONTINUATION flood in net/http',
    references: ['https://go.dev/issue/65051'],
    explanation: {
      matchedBy: 'package',
      lookupName: 'stdlib',
      comparedVersion: '1.20.12',
      scheme: 'semver',
      advisories: [{ id: 'GO-2024-2687', source: 'osv-go', ecosystem: 'Go' }],
      rule: '1.20.12 >= introduced 0 and < fixed 1.21.9',
      introduced: '0',
      fixed: '1.21.9',
    },
  } satisfies Finding,
  lodash_23337: {
    id: 'CVE-2021-23337',
    aliases: ['GHSA-35jh-r3h4-6jhm'],
    package: pkgRef(PKG.lodash),
    installedVersion: '4.17.20',
    fixedVersion: '4.17.21',
    status: 'fixed',
    severity: 'HIGH',
    severitySource: 'ghsa',
    cvss: [{ source: 'ghsa', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', score: 7.2 }],
    layer: layerOf(PKG.lodash),
    title: 'Command Injection in lodash',
    references: ['https://github.com/advisories/GHSA-35jh-r3h4-6jhm'],
    explanation: {
      matchedBy: 'package',
      lookupName: 'lodash',
      comparedVersion: '4.17.20',
      scheme: 'semver',
      advisories: [{ id: 'GHSA-35jh-r3h4-6jhm', source: 'ghsa', ecosystem: 'npm' }],
      rule: '4.17.20 >= introduced 0 and < fixed 4.17.21',
      introduced: '0',
      fixed: '4.17.21',
    },
  } satisfies Finding,
} as const satisfies Record<string, Finding>;

export const SUPPRESSED: Suppressed[] = [
  {
    finding: cve20235678(PKG.openssl),
    by: 'vex',
    reason: 'not_affected: vulnerable_code_not_in_execute_path',
    statement: 'vex/openvex.json#CVE-2023-5678',
    vex: { status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
  },
];

const ALL_PACKAGES: Package[] = Object.values(PKG);

/** The Debian 12 application image: OS and language findings, one VEX suppression, a database. */
export function debianAppScan(): ScanResult {
  return {
    artifact: {
      name: IMAGE,
      type: 'container_image',
      source: 'registry',
      digest: MANIFEST_DIGEST,
      configDigest: 'sha256:a7c2d9e01f5b3c4d6e8f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d',
      platform: { os: 'linux', architecture: 'amd64' },
      repoTags: [IMAGE],
    },
    layers: LAYERS,
    os: { family: 'debian', version: '12.4', ecosystem: 'Debian:12', name: 'Debian GNU/Linux 12 (bookworm)', codename: 'bookworm', evidence: 'etc/os-release' },
    // Deliberately not sorted: reports sort.
    packages: [...ALL_PACKAGES].reverse(),
    findings: [...Object.values(FINDINGS)].reverse(),
    suppressed: SUPPRESSED,
    database: {
      schemaVersion: 1,
      builtAt: '2026-11-25T06:00:00Z',
      path: '/home/user/.cache/strata/db/strata.db',
      sources: [
        { id: 'debian-tracker', input: 'https://security-tracker.debian.org/tracker/data/json', version: 'etag:"6f1e"', records: 53_211, skipped: 0 },
        { id: 'osv-pypi', input: 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip', records: 14_870, skipped: 2, skipReasons: ['PYSEC-2017-94: affected[0] names no package', 'PYSEC-2018-28: range event "introduced" is not a version'] },
        { id: 'osv-go', input: 'https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip', records: 4_102, skipped: 0 },
        { id: 'kev', input: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json', records: 1_402, skipped: 0 },
      ],
    },
    skipped: [{ path: 'app/node_modules/broken/package.json', layer: APP.diffId, scanner: 'npm', reason: "invalid JSON: Unexpected token '}' at position 88" }],
    warnings: [],
    timings: { acquire: 310, inventory: 420, match: 35 },
  };
}

/** The same image scanned without a database: packages only. */
export function noDatabaseScan(): ScanResult {
  return { ...debianAppScan(), findings: [], suppressed: [], database: undefined };
}

/** A clean image: a database was used and nothing matched. */
export function cleanScan(): ScanResult {
  return {
    ...debianAppScan(),
    artifact: { name: 'docker.io/library/debian:12', type: 'container_image', source: 'registry', digest: MANIFEST_DIGEST },
    packages: [PKG.libc6, PKG.zlib1g].map((p) => ({ ...p })),
    findings: [],
    suppressed: [],
    skipped: [],
  };
}

/** A second, Alpine image, for multi-image runs. */
export function alpineScan(): ScanResult {
  const busybox: Package = {
    name: 'busybox',
    version: '1.36.1-r15',
    ecosystem: 'Alpine:v3.19',
    kind: 'os',
    purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1',
    source: { name: 'busybox', version: '1.36.1-r15' },
    arch: 'x86_64',
    layer: 'sha256:d4fc045c9e3a848011de66f34b81f052d4f2c15a17bb196d637e526349601820',
    paths: ['lib/apk/db/installed'],
    foundBy: 'apk',
    licenses: ['GPL-2.0-only'],
  };
  return {
    artifact: { name: 'docker.io/library/alpine:3.19', type: 'container_image', source: 'registry', digest: 'sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b', platform: { os: 'linux', architecture: 'amd64' } },
    layers: [{ digest: 'sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8', diffId: busybox.layer!, size: 3_408_729, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', createdBy: '/bin/sh -c #(nop) ADD file:37a76ec18f9887751cd8473744917d08b7431fc4085097bb6a09d81b41775473 in / ' }],
    os: { family: 'alpine', version: '3.19.1', ecosystem: 'Alpine:v3.19' },
    packages: [busybox],
    findings: [
      {
        id: 'CVE-2023-42363',
        aliases: [],
        package: { name: busybox.name, version: busybox.version, ecosystem: busybox.ecosystem, purl: busybox.purl, source: busybox.source, paths: busybox.paths },
        installedVersion: '1.36.1-r15',
        fixedVersion: '1.36.1-r17',
        status: 'fixed',
        severity: 'MEDIUM',
        severitySource: 'nvd',
        cvss: [{ source: 'nvd', version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 }],
        title: 'busybox: use-after-free in awk',
        explanation: {
          matchedBy: 'source-package',
          lookupName: 'busybox',
          comparedVersion: '1.36.1-r15',
          scheme: 'apk',
          advisories: [{ id: 'CVE-2023-42363', source: 'alpine-secdb', ecosystem: 'Alpine:v3.19' }],
          rule: 'installed 1.36.1-r15 < fixed 1.36.1-r17',
          fixed: '1.36.1-r17',
        },
      },
    ],
    suppressed: [],
    database: debianAppScan().database,
    skipped: [],
    warnings: [],
    timings: {},
  };
}
