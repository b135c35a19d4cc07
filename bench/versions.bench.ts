/**
 * Version comparisons per second per scheme, over real pairs where they exist
 * (apt lists and the Debian tracker for dpkg, rpmdb fixtures for rpm, OSV
 * records for PyPI/Go/crates.io, Alpine secdb for apk). dpkg is measured
 * beside `dpkg --compare-versions` on the same pairs (one process per
 * comparison: how shell scripts and naive scanners call it). Goal: >= 1M/s
 * for dpkg and rpm.
 */
import type { VersionScheme } from '../src/core/version.js';
import { apk, cargo, composer, dpkg, gem, golang, maven, nuget, pep440, rpm, semver } from '../src/versioning/index.js';
import { alpineSecdbVersions, aptVersions, debianTrackerVersions, osvVersions, pairsOf, rpmdbEvrs } from '../test/versioning/data.js';
import { dpkgOracle, type Pair } from '../test/versioning/oracles.js';
import { bestOf, figure, type BenchFigure, type BenchModule } from './harness.js';

const N = 200_000;

function rate(scheme: VersionScheme, pairs: readonly Pair[]): number {
  let sink = 0;
  const run = () => {
    for (const [a, b] of pairs) sink += scheme.compare(a, b);
  };
  run(); // warm up the JIT
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink); // keep the loop observable
  return pairs.length / best;
}

function synthetic(make: (i: number) => string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

const bench: BenchModule = async (ctx) => {
  const figures: BenchFigure[] = [];
  const dpkgPairs = pairsOf([...aptVersions(), ...debianTrackerVersions()].filter((v) => dpkg.isValid(v)), N, 1);
  const sets: Array<[VersionScheme, Pair[], string]> = [
    [dpkg, dpkgPairs, 'apt lists + Debian tracker'],
    [rpm, pairsOf(rpmdbEvrs(), N, 2), 'rpmdb fixtures'],
    [apk, pairsOf(alpineSecdbVersions().filter((v) => apk.isValid(v)), N, 3), 'Alpine secdb'],
    [pep440, pairsOf(osvVersions('PyPI').filter((v) => pep440.isValid(v)), N, 4), 'OSV PyPI'],
    [golang, pairsOf(osvVersions('Go').filter((v) => golang.isValid(v)), N, 5), 'OSV Go'],
    [cargo, pairsOf(osvVersions('crates.io').filter((v) => cargo.isValid(v)), N, 6), 'OSV crates.io'],
    [semver, pairsOf(osvVersions('crates.io').filter((v) => semver.isValid(v)), N, 7), 'OSV crates.io versions'],
    [maven, pairsOf(synthetic((i) => `${i % 13}.${i % 7}.${i % 5}${['', '-SNAPSHOT', '.RC1', '-alpha-2', '.Final'][i % 5]}`, 5000), N, 8), 'generated'],
    [gem, pairsOf(synthetic((i) => `${i % 13}.${i % 7}.${i % 5}${['', '.pre', '.rc1', '.beta.2'][i % 4]}`, 5000), N, 9), 'generated'],
    [nuget, pairsOf(synthetic((i) => `${i % 13}.${i % 7}.${i % 5}${['', '-beta', '-rc.1', '.4'][i % 4]}`, 5000), N, 10), 'generated'],
    [composer, pairsOf(synthetic((i) => `${i % 13}.${i % 7}.${i % 5}${['', '-beta2', '-RC1', '-patch1'][i % 4]}`, 5000), N, 11), 'generated'],
  ];

  // Baseline: the same dpkg pairs through `dpkg --compare-versions` (a sample: it is ~1 ms each).
  const sample = dpkgPairs.slice(0, 1000);
  const seconds = await bestOf(1, () => dpkgOracle(sample));
  // dpkgOracle runs 1 or 2 dpkg processes per pair; count the processes it actually ran.
  const processes = sample.reduce((n, [a, b]) => n + (dpkg.compare(a, b) < 0 ? 1 : 2), 0);
  const dpkgToolRate = processes / seconds;
  ctx.log(`dpkg --compare-versions: ${processes} runs in ${seconds.toFixed(2)} s`);

  for (const [scheme, pairs, source] of sets) {
    const r = rate(scheme, pairs);
    const fast = scheme.id === 'dpkg' || scheme.id === 'rpm';
    figures.push(
      figure(
        `${scheme.id} comparisons (${source})`,
        r,
        'cmp/s',
        scheme.id === 'dpkg' ? dpkgToolRate : null,
        fast ? '>= 1M/s' : 'informational',
        fast ? r >= 1_000_000 : undefined,
      ),
    );
  }
  return figures;
};

export default bench;
