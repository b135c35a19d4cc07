/**
 * The ecosystems' own version comparators, driven in bulk through stdin so a
 * few thousand pairs cost one process start: dpkg, python3-apt, python3-rpm,
 * python3-packaging, Maven's ComparableVersion, Ruby's Gem::Version,
 * composer/semver on PHP, golang.org/x/mod/semver. Each returns '-1' | '0' |
 * '1' per pair, or 'E' where the tool rejects a version.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Pair = readonly [string, string];
export type Verdict = '-1' | '0' | '1' | 'E';

/** Debian's python with apt_pkg, rpm and packaging (`python3` on PATH may be another build). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

function run(cmd: string, args: string[], pairs: readonly Pair[], env?: NodeJS.ProcessEnv): Verdict[] {
  for (const [a, b] of pairs) {
    if (/[\t\n]/.test(a + b)) throw new Error(`pair cannot be sent over a line protocol: ${JSON.stringify([a, b])}`);
  }
  const input = pairs.map(([a, b]) => `${a}\t${b}\n`).join('');
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.split('\n').filter((l) => l.length > 0) as Verdict[];
  if (out.length !== pairs.length) throw new Error(`${cmd}: ${out.length} results for ${pairs.length} pairs; stderr: ${r.stderr}`);
  return out;
}

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** `dpkg --compare-versions`, one process per comparison (the real thing, slow: keep it to a few thousand). */
export function dpkgOracle(pairs: readonly Pair[]): Verdict[] {
  const script = `while IFS="$(printf '\\t')" read -r a b; do
  if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1
  elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0
  else echo 1; fi
done`;
  return run('sh', ['-c', script], pairs);
}

/** Does dpkg warn about or reject this version? (`dpkg --compare-versions` prints why on stderr.) */
export function dpkgRejects(versions: readonly string[]): boolean[] {
  const script = `while IFS= read -r v; do
  out=$(dpkg --compare-versions "$v" eq "$v" 2>&1); rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then echo 1; else echo 0; fi
done`;
  const r = spawnSync('sh', ['-c', script], { input: versions.map((v) => `${v}\n`).join(''), encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map((l) => l === '1');
}

function python(code: string, pairs: readonly Pair[]): Verdict[] {
  return run(SYSTEM_PYTHON, ['-c', code], pairs);
}

const PY_LOOP = (compare: string) => `
import sys
out = []
for line in sys.stdin:
    a, b = line.rstrip('\\n').split('\\t')
    try:
        r = ${compare}
        out.append(str((r > 0) - (r < 0)))
    except Exception:
        out.append('E')
sys.stdout.write('\\n'.join(out) + '\\n')
`;

export function aptPkgOracle(pairs: readonly Pair[]): Verdict[] {
  return python(`import apt_pkg\napt_pkg.init_system()\n${PY_LOOP('apt_pkg.version_compare(a, b)')}`, pairs);
}

/** rpm 4.18's own EVR parse and compare (rpm.ver = rpmverParse + rpmverCmp). */
export function rpmOracle(pairs: readonly Pair[]): Verdict[] {
  return python(`import rpm\n${PY_LOOP('(rpm.ver(a) > rpm.ver(b)) - (rpm.ver(a) < rpm.ver(b))')}`, pairs);
}

export function packagingOracle(pairs: readonly Pair[]): Verdict[] {
  return python(
    `from packaging.version import Version\n${PY_LOOP('(Version(a) > Version(b)) - (Version(a) < Version(b))')}`,
    pairs,
  );
}

let mavenDir: string | undefined;

/** ComparableVersion from the machine's Maven (org.apache.maven:maven-artifact), via a tiny stdin loop. */
export function mavenOracle(pairs: readonly Pair[]): Verdict[] {
  const jar = mavenArtifactJar();
  if (!mavenDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-maven-oracle-'));
    writeFileSync(
      path.join(dir, 'Oracle.java'),
      `import java.io.*;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Oracle {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, "UTF-8")));
    String line;
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\\t');
      int r = new ComparableVersion(line.substring(0, tab)).compareTo(new ComparableVersion(line.substring(tab + 1)));
      out.println(r < 0 ? -1 : r > 0 ? 1 : 0);
    }
    out.flush();
  }
}
`,
    );
    execFileSync('javac', ['-cp', jar, '-d', dir, path.join(dir, 'Oracle.java')]);
    mavenDir = dir;
  }
  return run('java', ['-cp', `${jar}:${mavenDir}`, 'Oracle'], pairs);
}

export function mavenArtifactJar(): string {
  const dir = '/usr/share/maven/lib';
  const jar = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('maven-artifact')) : undefined;
  if (!jar) throw new Error('maven-artifact jar not found under /usr/share/maven/lib (apt-get install maven)');
  return path.join(dir, jar);
}

export function gemOracle(pairs: readonly Pair[]): Verdict[] {
  const code = `require 'rubygems'
out = []
STDIN.each_line do |line|
  a, b = line.chomp("\\n").split("\\t", -1)
  begin
    out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
  rescue ArgumentError
    out << 'E'
  end
end
STDOUT.write(out.join("\\n") + "\\n")`;
  return run('ruby', ['-e', code], pairs);
}

/** composer/semver (Debian's php-composer-semver): VersionParser::normalize, then Comparator. */
export function composerOracle(pairs: readonly Pair[]): Verdict[] {
  const code = `<?php
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\\Semver\\VersionParser; use Composer\\Semver\\Comparator;
$p = new VersionParser(); $out = [];
while (($line = fgets(STDIN)) !== false) {
  [$a, $b] = explode("\\t", rtrim($line, "\\n"), 2);
  try {
    $na = $p->normalize($a); $nb = $p->normalize($b);
    if (strpos($na, 'dev-') === 0 || strpos($nb, 'dev-') === 0) { $out[] = 'E'; continue; }
    $out[] = Comparator::lessThan($na, $nb) ? '-1' : (Comparator::equalTo($na, $nb) ? '0' : '1');
  } catch (\\UnexpectedValueException $e) { $out[] = 'E'; }
}
echo implode("\\n", $out), "\\n";`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-composer-oracle-'));
  const file = path.join(dir, 'oracle.php');
  writeFileSync(file, code);
  return run('php', [file], pairs);
}

/** golang.org/x/mod/semver (Debian's golang-golang-x-mod-dev) built in GOPATH mode. */
export function goSemverOracle(pairs: readonly Pair[]): Verdict[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-go-oracle-'));
  const src = path.join(dir, 'main.go');
  writeFileSync(
    src,
    `package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		parts := strings.SplitN(in.Text(), "\\t", 2)
		if !semver.IsValid(parts[0]) || !semver.IsValid(parts[1]) {
			fmt.Fprintln(out, "E")
			continue
		}
		fmt.Fprintln(out, semver.Compare(parts[0], parts[1]))
	}
}
`,
  );
  mkdirSync(path.join(dir, 'cache'));
  const env = { GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: path.join(dir, 'cache'), GOFLAGS: '' };
  const bin = path.join(dir, 'oracle');
  execFileSync('go', ['build', '-o', bin, src], { env: { ...process.env, ...env } });
  return run(bin, [], pairs);
}
