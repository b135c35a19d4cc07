/**
 * Every scheme against the ecosystem's own implementation, on real version
 * strings where they exist (apt lists, the Debian tracker, rpmdb fixtures,
 * OSV PyPI/Go/crates.io records) and on generated tricky strings. Needs the
 * Debian packages dpkg, python3-apt, python3-rpm, python3-packaging, maven
 * (+ default-jdk-headless for javac), ruby, php-cli, php-composer-semver,
 * golang-go and golang-golang-x-mod-dev.
 */
import { describe, expect, it } from 'vitest';
import semverLib from 'semver';
import type { VersionScheme } from '../../src/core/version.js';
import { apk, cargo, composer, dpkg, gem, golang, maven, pep440, rpm } from '../../src/versioning/index.js';
import {
  alpineSecdbVersions,
  aptVersions,
  debianTrackerVersions,
  osvVersions,
  pairsOf,
  pick,
  prng,
  rpmdbEvrs,
  sample,
} from './data.js';
import {
  aptPkgOracle,
  composerOracle,
  dpkgOracle,
  dpkgRejects,
  gemOracle,
  goSemverOracle,
  mavenOracle,
  packagingOracle,
  type Pair,
  rpmOracle,
  type Verdict,
} from './oracles.js';

/** Strings built from atoms that matter to a scheme (separators, qualifiers, zeros, huge numbers). */
function generated(seed: number, n: number, atoms: readonly string[], maxAtoms = 6): string[] {
  const rand = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = 1 + Math.floor(rand() * maxAtoms);
    for (let j = 0; j < len; j++) s += pick(rand, atoms);
    out.push(s);
  }
  return out;
}

/** Joins a head and a tail atom list into structured versions (more of them valid than pure noise). */
function structured(seed: number, n: number, heads: readonly string[], tails: readonly string[], maxTail = 3): string[] {
  const rand = prng(seed);
  return Array.from({ length: n }, () => {
    let s = pick(rand, heads);
    const k = Math.floor(rand() * (maxTail + 1));
    for (let i = 0; i < k; i++) s += pick(rand, tails);
    return s;
  });
}

interface Agreement {
  compared: number;
  mismatches: string[];
  /** Pairs where the tool and we disagree on validity. */
  validity: string[];
}

/**
 * Our verdict on every pair the oracle answered; where the oracle rejects a
 * version we must reject one too. `lenientOracle`: the tool accepts anything
 * (rpm, Maven), so our rejections are not compared.
 */
function agree(scheme: VersionScheme, pairs: readonly Pair[], oracle: readonly Verdict[], lenientOracle = false): Agreement {
  const result: Agreement = { compared: 0, mismatches: [], validity: [] };
  pairs.forEach(([a, b], i) => {
    const ours = scheme.isValid(a) && scheme.isValid(b);
    const theirs = oracle[i] as Verdict;
    if (theirs === 'E' || !ours) {
      if (theirs === 'E' && ours) result.validity.push(`${a} | ${b}: tool rejects, we accept`);
      if (theirs !== 'E' && !ours && !lenientOracle) result.validity.push(`${a} | ${b}: we reject, tool accepts`);
      return;
    }
    result.compared++;
    const got = String(scheme.compare(a, b));
    if (got !== theirs) result.mismatches.push(`${a} vs ${b}: ours ${got}, tool ${theirs}`);
  });
  return result;
}

function expectAgreement(a: Agreement, minCompared: number): void {
  expect(a.mismatches.slice(0, 20)).toEqual([]);
  expect(a.validity.slice(0, 20)).toEqual([]);
  expect(a.compared).toBeGreaterThanOrEqual(minCompared);
}

describe('dpkg against dpkg and apt_pkg', () => {
  const real = [...aptVersions(), ...debianTrackerVersions()];

  it('reads thousands of real Debian versions, nearly all valid', () => {
    const valid = real.filter((v) => dpkg.isValid(v));
    expect(real.length).toBeGreaterThan(5000);
    expect(valid.length / real.length).toBeGreaterThan(0.999);
  });

  it('agrees with `dpkg --compare-versions` on 3,000 real pairs', () => {
    const versions = sample(
      real.filter((v) => dpkg.isValid(v)),
      4000,
      1,
    );
    const pairs = pairsOf(versions, 3000, 2);
    expectAgreement(agree(dpkg, pairs, dpkgOracle(pairs)), 3000);
  });

  it('agrees with apt_pkg.version_compare on 200,000 real pairs', () => {
    const versions = real.filter((v) => dpkg.isValid(v));
    const pairs = pairsOf(versions, 200_000, 3);
    expectAgreement(agree(dpkg, pairs, aptPkgOracle(pairs)), 200_000);
  });

  it('agrees with apt_pkg on generated versions full of ~, +, letters, epochs and zeros', () => {
    const versions = structured(
      4,
      3000,
      ['0', '1', '1.0', '2:1.0', '1:0', '10', '007', '1.2.3'],
      ['~', '~~', '+', '.', '-1', '-0', 'a', 'Z', '~rc1', '+b1', '.0', '00', '1', '9999999999999999999999', '-1~bpo', '+dfsg-2', 'a~'],
    ).filter((v) => dpkg.isValid(v));
    const pairs = pairsOf(versions, 60_000, 5);
    expectAgreement(agree(dpkg, pairs, aptPkgOracle(pairs)), 50_000);
  });

  it('rejects exactly what dpkg rejects or warns about', () => {
    const candidates = [
      ...generated(6, 400, ['1', '0', ':', '-', '.', 'a', '~', '+', '_', ' ', '!', 'A', '1:', '-1', '99999999999:']),
      // (the empty string is dpkg's "no version", not an error, so it is left out)
      '1.0',
      'a1.0',
      '1:',
      ':1',
      '1.0-',
      '-1',
      '0:1.0-1',
      '2147483647:1',
      '2147483648:1',
      'x:1',
    ].filter((v) => !/[\s]/.test(v));
    const rejects = dpkgRejects(candidates);
    const disagreements = candidates.filter((v, i) => dpkg.isValid(v) === rejects[i]);
    expect(disagreements).toEqual([]);
  });
});

describe('rpm against rpm 4.18 (python3-rpm)', () => {
  it('agrees on real EVRs from rpmdb fixtures', () => {
    const evrs = rpmdbEvrs();
    expect(evrs.length).toBeGreaterThan(100);
    expect(evrs.filter((v) => !rpm.isValid(v))).toEqual([]);
    const pairs = pairsOf(evrs, 5000, 7);
    expectAgreement(agree(rpm, pairs, rpmOracle(pairs)), 5000);
  });

  it('agrees on generated EVRs with ~, ^, epochs, alnum mixes and separators', () => {
    const versions = [
      ...structured(
        8,
        3000,
        ['1', '0', '1:1', '0:1', '2:0.9', '10', '1.0', 'a', '001'],
        ['~', '^', '.', '_', '+', 'a', 'b', 'Z', 'rc', 'git', '1', '0', '00', '~rc1', '^post1', '-1', '-0.1', '-1.el8', '.fc38', '~~', '^^', '9999999999999999999999'],
        5,
      ),
      ...generated(9, 2000, ['1', '0', '2', '10', '.', '~', '^', 'a', 'b', 'Z', '_', '+', '-', '1:', '00', 'rc', 'git'], 7),
    ];
    const pairs = pairsOf(versions, 30_000, 10);
    // rpm reads any string; we refuse malformed EVRs, so only pairs we accept are compared.
    expectAgreement(agree(rpm, pairs, rpmOracle(pairs), true), 10_000);
  });
});

describe('pep440 against packaging.version.Version', () => {
  const real = osvVersions('PyPI');

  it('agrees on real PyPI versions from OSV, and rejects what packaging rejects', () => {
    expect(real.length).toBeGreaterThan(5000);
    const pairs = pairsOf(real, 50_000, 11);
    const a = agree(pep440, pairs, packagingOracle(pairs));
    expectAgreement(a, 45_000);
  });

  it('agrees on generated spellings (normalisation, epochs, local versions, huge numbers)', () => {
    const versions = [
      ...structured(
        12,
        4000,
        ['1', '0', '2', '10', '1.0', '1!1', '0!2', 'v1', 'V1.0', '1.00', '99999999999999999999', ' 1'],
        ['.1', '.0', 'a1', 'b', 'rc2', '.post1', '-1', '.dev0', 'dev', '.post', '+local.1', '+1e5', '+abc.7', '+0x1f', '-r3', '.pre4', 'c', 'alpha', 'preview1', '_beta_2', '.RC1', ' '],
        3,
      ),
      ...generated(13, 2000, ['1', '0', '.', '-', '_', 'a', 'b', 'rc', 'post', 'dev', '+', 'x', '!', 'v'], 7),
    ];
    const pairs = pairsOf(versions, 30_000, 14);
    expectAgreement(agree(pep440, pairs, packagingOracle(pairs)), 8000);
  });
});

describe('maven against ComparableVersion (maven-artifact)', () => {
  it('agrees on generated versions with qualifiers, aliases, separators and big numbers', () => {
    const versions = [
      ...generated(15, 3000, ['1', '0', '2', '10', '.', '-', 'a', 'b', 'm', 'rc', 'cr', 'alpha', 'beta', 'ga', 'final', 'release', 'sp', 'snapshot', 'SNAPSHOT', 'RC', 'x', '00', '007', '1234567890123', '99999999999999999999']),
      ...structured(16, 2000, ['1', '1.0', '2.0.0', '1.2.3', '0.9'], ['-SNAPSHOT', '.RC1', '-rc-2', '-alpha1', '-beta-3', '.Final', '-GA', '-sp1', '.1', '-1', 'a', '.0', '-20230101.123456-1', '-jre', '-android', '.M1'], 3),
    ];
    const pairs = pairsOf(versions, 30_000, 17);
    expectAgreement(agree(maven, pairs, mavenOracle(pairs), true), 29_000);
  });
});

describe('gem against Gem::Version', () => {
  it('agrees on generated versions and on what is malformed', () => {
    const versions = [
      ...generated(18, 3000, ['1', '0', '2', '10', '.', '-', 'a', 'b', 'pre', 'rc', 'A', 'Z', '00', '.0', '.a', '12345678901234567890', ' ']),
      ...structured(19, 4000, ['1', '0', '2', '10', '1.0', ''], ['.1', '.0', '.a', '.b', '-1', '-pre', '.rc1', 'a', '.10', '.00', '-a.1', '.beta.2'], 4),
    ];
    const pairs = pairsOf(versions, 30_000, 20);
    expectAgreement(agree(gem, pairs, gemOracle(pairs)), 8000);
  });
});

describe('composer against composer/semver', () => {
  it('agrees on generated constraints-free versions, branches and flags', () => {
    const versions = [
      ...generated(21, 3000, ['1', '0', '2', '10', '.', '-', '_', 'v', 'beta', 'b', 'RC', 'rc', 'alpha', 'a', 'patch', 'pl', 'p', 'dev', 'stable', 'x', '*', '+', '@dev', '2020', '12', ' as ', '0.0', '00'], 7),
      ...structured(22, 4000, ['1', '0', '2', '10', 'v1.2', '1.0.0', '2.3.4.5', '20200101', '2020.01.02'], ['', '-beta', '-beta2', '-RC1', 'RC', '.alpha1', '-patch1', 'p2', '-dev', '.x-dev', '-stable', '+build', '@dev', '-b.1', 'a3', '.1', '.0'], 2),
    ];
    const pairs = pairsOf(versions, 30_000, 23);
    expectAgreement(agree(composer, pairs, composerOracle(pairs)), 5000);
  });
});

describe('golang against golang.org/x/mod/semver', () => {
  const withV = (v: string) => (v.startsWith('v') ? v : `v${v}`);

  it('agrees on real Go module versions from OSV (which omits the v) and on pseudo-versions', () => {
    const real = osvVersions('Go').map(withV);
    expect(real.length).toBeGreaterThan(1000);
    const generatedVersions = structured(24, 3000, ['v1', 'v0', 'v2', 'v10', 'v1.2', 'v0.0'], ['.0', '.1', '.10', '-pre', '-0.20191109021931-daa7c04131f5', '-20191109021931-daa7c04131f5', '-rc.1', '-rc.01', '-1', '-a.b.1', '+incompatible', '+meta', '.x'], 3);
    const pairs = pairsOf([...real, ...generatedVersions], 30_000, 25);
    const oracle = goSemverOracle(pairs);
    expectAgreement(agree(golang, pairs, oracle), 15_000);
    // And without the v, as OSV writes them: same answers.
    const bare = pairs.filter((_, i) => oracle[i] !== 'E').map(([a, b]) => [a.slice(1), b.slice(1)] as const);
    const mismatches = bare.filter(([a, b]) => golang.compare(a, b) !== golang.compare(`v${a}`, `v${b}`));
    expect(mismatches).toEqual([]);
  });
});

describe('cargo against node-semver on strict SemVer', () => {
  it('orders real crates.io versions from OSV as node-semver does', () => {
    const real = osvVersions('crates.io');
    expect(real.length).toBeGreaterThan(500);
    const pairs = pairsOf(
      real.filter((v) => cargo.isValid(v)),
      20_000,
      26,
    );
    const mismatches = pairs.filter(([a, b]) => cargo.compare(a, b) !== semverLib.compare(a, b));
    expect(mismatches).toEqual([]);
    // What crates.io data holds is SemVer: nearly all of it parses.
    expect(real.filter((v) => cargo.isValid(v)).length / real.length).toBeGreaterThan(0.99);
  });
});

describe('apk on real Alpine secdb versions', () => {
  it('accepts every version written in apk-tools grammar, and few secdb versions fall outside it', () => {
    const versions = alpineSecdbVersions();
    expect(versions.length).toBeGreaterThan(3000);
    const grammar = /^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$/;
    expect(versions.filter((v) => grammar.test(v) !== apk.isValid(v))).toEqual([]);
    // Old branches carry versions apk-tools 2.14/3 rejects (`6.6.2p1-r0`, `4.8.0.-r1`, `10.0.11-0`).
    expect(versions.filter((v) => !apk.isValid(v)).length / versions.length).toBeLessThan(0.02);
    // Sorted by apk, the secdb versions of one branch form a consistent order.
    const sorted = versions.filter((v) => apk.isValid(v)).sort((a, b) => apk.compare(a, b));
    for (let i = 1; i < sorted.length; i++) expect(apk.compare(sorted[i] as string, sorted[i - 1] as string)).toBeGreaterThanOrEqual(0);
  });
});
