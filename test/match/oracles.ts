/**
 * Independent readings of the raw feed files and independent version
 * comparisons, for tests that check Strata's findings against what the
 * feeds say. Deliberately the simplest thing that works: regular
 * expressions over the published text, `dpkg --compare-versions` for Debian
 * versions and the `semver` npm package for Go's. Nothing here imports
 * Strata's parsers or version schemes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import semver from 'semver';

/** One (vulnerability, source package) statement of a Debian feed for one release. */
export interface DebianStatement {
  /** CVE id, or the DSA/DLA id when the advisory names no CVE. */
  vuln: string;
  source: string;
  /** Fixed version, `0:0` = no fix yet (OVAL's way of writing "open"). */
  fixed: string;
  /** `oval CVE-2023-1234`, `oval DSA-5418-1`, `DSA.list DSA-5380-1`. */
  from: string;
}

/**
 * Debian OVAL (one release): every `dpkginfo_test` under a definition gives
 * (source package, "evr less than" value). Vulnerability definitions speak
 * for the CVE in their title; patch definitions (`DSA-… pkg`) for their CVE
 * references, or for the DSA itself when they have none.
 */
export function debianOvalStatements(xml: string): DebianStatement[] {
  const objects = new Map<string, string>();
  for (const m of xml.matchAll(/<dpkginfo_object id="([^"]+)"[^>]*>\s*<name>([^<]+)<\/name>/g)) objects.set(m[1] as string, m[2] as string);
  const states = new Map<string, string>();
  for (const m of xml.matchAll(/<dpkginfo_state id="([^"]+)"[^>]*>\s*<evr [^>]*operation="([^"]+)"[^>]*>([^<]+)<\/evr>/g)) {
    if (m[2] !== 'less than') throw new Error(`OVAL state ${m[1]}: operation "${m[2]}" is not "less than"`);
    states.set(m[1] as string, m[3] as string);
  }
  const tests = new Map<string, { pkg: string; evr: string }>();
  for (const m of xml.matchAll(/<dpkginfo_test [^>]*id="([^"]+)"[^>]*>\s*<object object_ref="([^"]+)"\/>\s*<state state_ref="([^"]+)"\/>/g)) {
    const pkg = objects.get(m[2] as string);
    const evr = states.get(m[3] as string);
    if (pkg === undefined || evr === undefined) throw new Error(`OVAL test ${m[1]}: dangling object or state`);
    tests.set(m[1] as string, { pkg, evr });
  }
  const out: DebianStatement[] = [];
  for (const m of xml.matchAll(/<definition [^>]*class="(vulnerability|patch)"[^>]*>([\s\S]*?)<\/definition>/g)) {
    const body = m[2] as string;
    const title = /<title>([^<]+)<\/title>/.exec(body)?.[1] ?? '';
    const titleId = title.split(/\s+/)[0] ?? '';
    const cves = [...body.matchAll(/ref_id="(CVE-[^"]+)"/g)].map((r) => r[1] as string);
    const vulns = m[1] === 'vulnerability' ? [titleId] : cves.length ? cves : [titleId];
    for (const t of body.matchAll(/test_ref="([^"]+)"/g)) {
      const test = tests.get(t[1] as string);
      if (!test) continue; // the release and architecture tests
      for (const vuln of vulns) out.push({ vuln, source: test.pkg, fixed: test.evr, from: `oval ${titleId}` });
    }
  }
  return out;
}

/** DSA/DLA/DTSA list: `[release] - pkg version` lines (fixed versions only) under each advisory. */
export function debianAdvisoryListStatements(text: string, release: string, file: string): DebianStatement[] {
  const out: DebianStatement[] = [];
  let id = '';
  let cves: string[] = [];
  let lines: Array<{ pkg: string; version: string }> = [];
  const flush = () => {
    for (const l of lines) for (const vuln of cves.length ? cves : [id]) out.push({ vuln, source: l.pkg, fixed: l.version, from: `${file} ${id}` });
  };
  for (const line of text.split('\n')) {
    const header = /^\[[^\]]+\]\s+((?:DSA|DLA|DTSA)-\d+(?:-\d+)?)\s/.exec(line);
    if (header) {
      flush();
      id = header[1] as string;
      cves = [];
      lines = [];
      continue;
    }
    const xref = /^\s+\{([^}]*)\}/.exec(line);
    if (xref) cves.push(...(xref[1] as string).split(/\s+/).filter((x) => x.startsWith('CVE-')));
    const fix = new RegExp(`^\\s+\\[${release}\\]\\s+-\\s+(\\S+)\\s+([^<\\s]\\S*)`).exec(line);
    if (fix) lines.push({ pkg: fix[1] as string, version: fix[2] as string });
  }
  flush();
  return out;
}

/**
 * `a < b` in dpkg's ordering for every pair, with one shell for the whole
 * batch (one `dpkg --compare-versions` per pair; versions travel on stdin,
 * never through a command line).
 */
export function dpkgLessThan(pairs: ReadonlyArray<readonly [string, string]>): boolean[] {
  if (pairs.length === 0) return [];
  for (const [a, b] of pairs) if (/\s/.test(a) || /\s/.test(b)) throw new Error(`version with whitespace: ${a} / ${b}`);
  const out = execFileSync('sh', ['-c', 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo 1; else echo 0; fi; done'], {
    input: `${pairs.map(([a, b]) => `${a} ${b}`).join('\n')}\n`,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString()
    .trim()
    .split('\n');
  if (out.length !== pairs.length) throw new Error(`dpkg batch: ${out.length} answers for ${pairs.length} pairs`);
  return out.map((x) => x === '1');
}

/** Every JSON record of an OSV `all.zip`. */
export function osvRecords(zipPath: string): OsvRecord[] {
  const files = unzipSync(readFileSync(zipPath));
  return Object.entries(files)
    .filter(([name]) => name.endsWith('.json'))
    .map(([, data]) => JSON.parse(Buffer.from(data).toString('utf8')) as OsvRecord);
}

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected?: Array<{
    package?: { ecosystem?: string; name?: string };
    ranges?: Array<{ type: string; events: OsvEvent[] }>;
    versions?: string[];
    database_specific?: { informational?: string };
  }>;
}

/** Go's SEMVER strings (no `v` in the vulndb, a `v` in build info) for the semver package. */
function goSemver(v: string): string {
  const bare = v.replace(/^v/, '');
  if (!semver.valid(bare)) throw new Error(`not a semantic version: ${v}`);
  return bare;
}

/**
 * OSV SEMVER range evaluation as the OSV schema describes it: walk the
 * events in version order; `introduced` opens, `fixed` closes at that
 * version, `last_affected` closes after it. The fix reported is the first
 * `fixed` above the version.
 */
export function semverRangeAffects(events: readonly OsvEvent[], version: string): { affected: boolean; fixed?: string } {
  const v = goSemver(version);
  const key = (e: OsvEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '0';
  const sorted = events
    .filter((e) => e.limit === undefined)
    .sort((a, b) => (key(a) === '0' ? -1 : key(b) === '0' ? 1 : semver.compare(goSemver(key(a)), goSemver(key(b)))));
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined && (e.introduced === '0' || semver.gte(v, goSemver(e.introduced)))) affected = true;
    else if (e.fixed !== undefined && semver.gte(v, goSemver(e.fixed))) affected = false;
    else if (e.last_affected !== undefined && semver.gt(v, goSemver(e.last_affected))) affected = false;
  }
  if (!affected) return { affected: false };
  const fixed = sorted.find((e) => e.fixed !== undefined && semver.gt(goSemver(e.fixed), v))?.fixed;
  return fixed !== undefined ? { affected, fixed } : { affected };
}

/** An expected finding: `id package installed fixed status`, one string so lists diff readably. */
export function findingLine(id: string, pkg: string, installed: string, fixed: string | null | undefined, status: string): string {
  return `${id} ${pkg} ${installed} ${fixed ?? '-'} ${status}`;
}

/**
 * Expected Go findings for one module at one version, from the OSV Go
 * records: ids = the record's CVE aliases (else its own id); the highest
 * fix when several records name the same CVE; informational records left out.
 */
export function expectedOsvSemverFindings(records: readonly OsvRecord[], ecosystem: string, name: string, version: string): Map<string, { fixed?: string }> {
  const out = new Map<string, { fixed?: string }>();
  for (const r of records) {
    if (r.withdrawn) continue;
    for (const a of r.affected ?? []) {
      if (a.package?.ecosystem !== ecosystem || a.package.name !== name) continue;
      if (a.database_specific?.informational) continue;
      for (const range of a.ranges ?? []) {
        if (range.type !== 'SEMVER') continue;
        const verdict = semverRangeAffects(range.events, version);
        if (!verdict.affected) continue;
        const cves = [r.id, ...(r.aliases ?? [])].filter((x) => x.startsWith('CVE-'));
        for (const id of cves.length ? cves : [r.id]) {
          const prev = out.get(id);
          const fixed = prev?.fixed && verdict.fixed && semver.gt(goSemver(prev.fixed), goSemver(verdict.fixed)) ? prev.fixed : (verdict.fixed ?? prev?.fixed);
          out.set(id, fixed !== undefined ? { fixed } : {});
        }
      }
    }
  }
  return out;
}
