/**
 * Debian and Ubuntu OVAL → advisories, through the shared reader (oval.ts).
 *
 * Debian (`oval-definitions-<codename>.xml[.bz2]`, https://www.debian.org/security/oval/):
 * one `vulnerability` definition per (CVE, source package), titled
 * `CVE-2023-1234 openssl`, and some `patch` definitions titled `DSA-5418-1 pkg`.
 * The dpkginfo object names the SOURCE package. The state is "evr less than
 * V": V = `0:0` means the tracker has no fix yet → status `affected` with no
 * ranges (a strict OVAL evaluator would say "never affected", which is wrong);
 * any other V → `fixed` with ranges fixed at V (a `0:` epoch is dropped: dpkg
 * treats it as no epoch, and the tracker writes versions without it).
 *
 * Ubuntu (`com.ubuntu.<codename>.usn.oval.xml[.bz2]`,
 * https://security-metadata.canonical.com/oval/): one `patch` definition per
 * USN, its dpkginfo objects naming BINARY packages (through constant
 * variables), so each advisory is marked `packageKind: 'binary'` and the
 * matcher looks it up by the installed binary package name. Ecosystems are
 * `Ubuntu:<VERSION_ID>` (`Ubuntu:24.04`), as inventory reports them.
 * Kernel livepatch definitions (variable tests on the running kernel) have no
 * package check and are skipped with a reason.
 */
import type { Advisory, Severity } from '../../core/advisory.js';
import { StrataError } from '../../core/errors.js';
import { ratingForScore, ratingForWord } from '../cvss.js';
import { openResource, type Resource } from '../io/resource.js';
import { DEBIAN_RELEASES, UBUNTU_RELEASES, debianEcosystem } from '../names.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';
import { versionProblem } from '../validate.js';
import { fixedRanges } from './debian-states.js';
import { type OvalDefinition, readOval } from './oval.js';

function stripZeroEpoch(evr: string): string {
  return evr.startsWith('0:') ? evr.slice(2) : evr;
}

function idOfTitle(title: string): string | undefined {
  return /^((?:CVE|DSA|DLA|USN|LSN|TEMP)-[0-9A-Za-z-]+?)(?=\s|$)/.exec(title.trim())?.[1];
}

function debianOvalEcosystem(def: OvalDefinition | undefined, fileName: string): string | undefined {
  const m = /Debian GNU\/Linux (\d+)/.exec(def?.platform ?? '');
  if (m) return `Debian:${m[1]}`;
  const codename = /oval-definitions-([a-z]+)/.exec(fileName)?.[1];
  return codename ? debianEcosystem(codename) : undefined;
}

function ubuntuOvalEcosystem(defs: OvalDefinition[], fileName: string): string | undefined {
  for (const d of defs) {
    if (d.class !== 'inventory') continue;
    const m = /Ubuntu (\d+\.\d+)/.exec(d.title);
    if (m) return `Ubuntu:${m[1]}`;
  }
  const codename = /com\.ubuntu\.([a-z]+)\./.exec(fileName)?.[1];
  const version = codename ? UBUNTU_RELEASES[codename] : undefined;
  return version ? `Ubuntu:${version}` : undefined;
}

function checkAdvisories(
  def: OvalDefinition,
  id: string,
  aliases: string[],
  ecosystem: string,
  extra: Partial<Advisory>,
  file: string,
  ctx: ReadContext,
): Advisory[] {
  const out: Advisory[] = [];
  for (const check of def.checks) {
    if (check.operation !== 'less than' || !check.evr) {
      ctx.skip(`package check "${check.operation}${check.evr ? ` ${check.evr}` : ''}" not understood`, { file, record: id });
      continue;
    }
    const unfixed = /^(?:0:)?0$/.test(check.evr);
    const fixed = stripZeroEpoch(check.evr);
    if (!unfixed) {
      const problem = versionProblem(ecosystem, fixed);
      if (problem) {
        ctx.skip(problem, { file, record: id });
        continue;
      }
    }
    for (const name of check.names) {
      const a: Advisory = {
        id,
        source: '',
        aliases,
        ecosystem,
        package: name,
        ranges: unfixed ? [] : fixedRanges(fixed),
        status: unfixed ? 'affected' : 'fixed',
        severity: [],
        ...extra,
      };
      if (unfixed) a.statusNote = 'no fix yet (OVAL: earlier than 0:0)';
      out.push(a);
    }
  }
  return out;
}

async function* readDebianOval(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
  for (const res of resources) {
    const doc = await readOval(await openResource(res), res.name, ctx.signal);
    for (const u of doc.unresolved) ctx.skip(u.reason, { file: res.name, record: u.definition });
    const ecosystem = debianOvalEcosystem(doc.definitions[0], res.name);
    if (!ecosystem) throw new StrataError('unsupported', 'cannot tell which Debian release this OVAL file is for (no "Debian GNU/Linux N" platform)', { path: res.location });
    yield { kind: 'ecosystem', ecosystem };
    for (const def of doc.definitions) {
      if (def.class !== 'vulnerability' && def.class !== 'patch') continue;
      const id = idOfTitle(def.title);
      if (!id) {
        ctx.skip(`definition title without an advisory id: ${JSON.stringify(def.title.slice(0, 60))}`, { file: res.name, record: def.id });
        continue;
      }
      if (def.checks.length === 0) {
        ctx.skip('definition without a package check', { file: res.name, record: id });
        continue;
      }
      const cves = def.references.filter((r) => r.source === 'CVE' && r.refId !== id).map((r) => r.refId);
      if (id.startsWith('CVE-') && def.description) yield { kind: 'vuln', info: { id, aliases: [], severity: [], description: def.description } };
      for (const cve of cves) yield { kind: 'alias', id, alias: cve, relation: 'fixes' };
      for (const advisory of checkAdvisories(def, id, cves, ecosystem, {}, res.name, ctx)) yield { kind: 'advisory', advisory };
    }
  }
}

function ubuntuCveSeverity(priority: string | undefined, vector: string | undefined, score: number | undefined): Severity[] {
  const out: Severity[] = [];
  if (priority) {
    const rating = ratingForWord(priority);
    out.push({ source: 'ubuntu', type: 'rating', label: priority, ...(rating ? { rating } : {}) });
  }
  if (vector?.startsWith('CVSS:3')) out.push({ source: 'ubuntu', type: 'CVSS_V3', vector, ...(score !== undefined ? { score, rating: ratingForScore(score) } : {}) });
  return out;
}

async function* readUbuntuOval(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
  for (const res of resources) {
    const doc = await readOval(await openResource(res), res.name, ctx.signal);
    for (const u of doc.unresolved) ctx.skip(u.reason, { file: res.name, record: u.definition });
    const ecosystem = ubuntuOvalEcosystem(doc.definitions, res.name);
    if (!ecosystem) throw new StrataError('unsupported', 'cannot tell which Ubuntu release this OVAL file is for', { path: res.location });
    yield { kind: 'ecosystem', ecosystem };
    const seenCves = new Set<string>();
    for (const def of doc.definitions) {
      if (def.class === 'inventory') continue;
      const id = idOfTitle(def.title);
      if (!id) {
        ctx.skip(`definition title without an advisory id: ${JSON.stringify(def.title.slice(0, 60))}`, { file: res.name, record: def.id });
        continue;
      }
      if (def.checks.length === 0) {
        const kinds = [...new Set(def.otherTests)].join(', ');
        const why = kinds ? `no package check, only ${kinds} (e.g. a kernel livepatch state)` : 'definition without a package check';
        ctx.skip(why, { file: res.name, record: id });
        continue;
      }
      const cves = def.references.filter((r) => r.source === 'CVE' && r.refId !== id).map((r) => r.refId);
      for (const cve of cves) yield { kind: 'alias', id, alias: cve, relation: 'fixes' };
      for (const c of def.cves) {
        if (!c.id || seenCves.has(c.id)) continue;
        seenCves.add(c.id);
        const severity = ubuntuCveSeverity(c.priority, c.cvssVector, c.cvssScore);
        if (severity.length) yield { kind: 'vuln', info: { id: c.id, aliases: [], severity } };
      }
      const severity: Severity[] = [];
      if (def.severity) {
        const rating = ratingForWord(def.severity);
        severity.push({ source: 'ubuntu', type: 'rating', label: def.severity, ...(rating ? { rating } : {}) });
      }
      const summary = def.title.split(' -- ')[1]?.trim();
      const extra: Partial<Advisory> = { packageKind: 'binary', severity };
      if (summary) extra.summary = summary;
      if (def.issued) extra.published = def.issued;
      for (const advisory of checkAdvisories(def, id, cves, ecosystem, extra, res.name, ctx)) yield { kind: 'advisory', advisory };
    }
  }
}

export const debianOvalSource: Source = {
  id: 'debian-oval',
  description: 'Debian OVAL definitions (per release)',
  version: 1,
  recognise(c: Candidate): boolean {
    if (c.isZip || !/<oval_definitions\b/.test(c.head)) return false;
    if (/oval:org\.debian/.test(c.head) || /<oval:product_name>Debian<\/oval:product_name>/.test(c.head)) return true;
    const codename = /^oval-definitions-([a-z]+)\.xml/.exec(c.name)?.[1];
    return codename !== undefined && codename in DEBIAN_RELEASES;
  },
  read: readDebianOval,
};

export const ubuntuOvalSource: Source = {
  id: 'ubuntu-oval',
  description: 'Ubuntu OVAL definitions (USN, per release)',
  version: 1,
  recognise(c: Candidate): boolean {
    if (c.isZip || !/<oval_definitions\b/.test(c.head)) return false;
    return /oval:com\.ubuntu\./.test(c.head) || /Canonical/.test(c.head) || /^com\.ubuntu\.[a-z]+\./.test(c.name);
  },
  read: readUbuntuOval,
};
