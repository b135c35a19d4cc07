/**
 * A Decision (rules.ts) and the vulnerability's facts → the Finding a report
 * shows: its aliases (the names the matched records give it), the chosen
 * severity and its source, the layer that brought the package, and the
 * explanation (records, rule, versions compared). Pure.
 */
import type { Severity, VulnInfo } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { LayerInfo } from '../core/result.js';
import type { VersionScheme } from '../core/version.js';
import { isCve } from '../vulndb/store/vuln-ids.js';
import { type Decided, type Decision, distroRatesSeverity, sourcePriority, type Verdict } from './rules.js';
import { chooseSeverity } from './severity.js';

/** The package as a finding names it (a new object per finding; `paths` is the inventory's). */
export function findingPackage(pkg: Package): Finding['package'] {
  if (!pkg.source) return { name: pkg.name, version: pkg.version, ecosystem: pkg.ecosystem, purl: pkg.purl, paths: pkg.paths };
  return { name: pkg.name, version: pkg.version, ecosystem: pkg.ecosystem, purl: pkg.purl, source: pkg.source, paths: pkg.paths };
}

/** The layer that brought the package, with its digest and history line when the image has them. */
function layerOf(pkg: Package, layers: ReadonlyMap<string, LayerInfo>): Finding['layer'] {
  if (!pkg.layer) return undefined;
  const layer = layers.get(pkg.layer);
  const out: NonNullable<Finding['layer']> = { diffId: pkg.layer };
  if (layer?.digest) out.digest = layer.digest;
  if (layer?.createdBy) out.createdBy = layer.createdBy;
  return out;
}

/** The layer that brought the package, with its digest and history line when the image has them. */
export function findingLayer(pkg: Package, layers: ReadonlyMap<string, LayerInfo>): Pick<Finding, 'layer'> {
  const layer = layerOf(pkg, layers);
  return layer ? { layer } : {};
}

/**
 * Everything of a Finding that does not depend on which package (of those
 * whose lookups judged alike) it is about, nor on the image: computed once per
 * (Decided, VulnInfo) and shared by the findings built from it, so frozen
 * (arrays and objects alike): a caller changing one finding cannot change
 * another's, nor the next scan's.
 */
interface SharedPart {
  readonly id: string;
  readonly aliases: string[];
  readonly installedVersion: string;
  readonly fixedVersion: string | undefined;
  readonly status: Finding['status'];
  readonly severity: Finding['severity'];
  readonly severitySource: string;
  readonly cvss: Finding['cvss'];
  readonly kev: Finding['kev'];
  readonly epss: Finding['epss'];
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly references: string[] | undefined;
  readonly published: string | undefined;
  readonly explanation: Finding['explanation'];
}

function frozenAll<T extends object>(items: T[]): T[] {
  for (const item of items) Object.freeze(item);
  return Object.freeze(items) as T[];
}

function sharedPart(
  id: string,
  verdicts: readonly Verdict[],
  decision: Decision,
  scheme: VersionScheme,
  info: VulnInfo | undefined,
  distroRates: boolean,
  isOs: boolean,
): SharedPart {
  const { lead, affected, fixedVersion, status } = decision;

  // The names the matched records give it — not every id known for the CVE: a RUSTSEC record of
  // the openssl-src crate is not an alias of Alpine's openssl finding, and ignoring it must not hide
  // this one. A record that fixes several CVEs (a DSA, a USN) names each of them: the others are
  // other vulnerabilities, never aliases.
  const aliases = new Set<string>();
  for (const v of verdicts) {
    if (!isCve(v.adv.id) || v.adv.id === id) aliases.add(v.adv.id);
    for (const a of v.adv.aliases) if (!isCve(a) || a === id) aliases.add(a);
  }
  aliases.delete(id);

  // The distro's rating of the vulnerability, from the deciding records first, then from the others about this
  // package (the tracker's urgency sits on its CVE entry even when a DSA line decided the fix).
  const distroSeverities: Severity[] = [];
  if (distroRates) {
    for (const v of affected) for (const s of v.adv.severity) if (s.type === 'rating') distroSeverities.push(s);
    for (const v of verdicts) if (v.status !== 'not_affected') for (const s of v.adv.severity) if (s.type === 'rating') distroSeverities.push(s);
  }
  const otherSeverities: Severity[] = info ? info.severity.slice() : [];
  for (const v of affected) for (const s of v.adv.severity) if (s.type !== 'rating' || !isOs) otherSeverities.push(s);
  const chosen = chooseSeverity(distroSeverities, otherSeverities);
  const advInfo = lead.adv;
  const trackerState = lead.adv.statusNote?.startsWith('<') ? lead.adv.statusNote.replace(/\s.*$/, '') : undefined;
  const references = referencesOf(info, affected);

  const explanation: Finding['explanation'] = {
    matchedBy: lead.lookup.matchedBy,
    lookupName: lead.lookup.name,
    comparedVersion: lead.lookup.version,
    scheme: scheme.id,
    advisories: frozenAll(uniqueAdvisories(verdicts)),
    rule: ruleText(lead, fixedVersion),
  };
  if (lead.match.introduced !== undefined) explanation.introduced = lead.match.introduced;
  if (fixedVersion !== undefined) explanation.fixed = fixedVersion;
  else if (lead.match.fixed !== undefined) explanation.fixed = lead.match.fixed;
  if (lead.match.lastAffected !== undefined) explanation.lastAffected = lead.match.lastAffected;
  if (trackerState) explanation.trackerState = trackerState;

  return Object.freeze({
    id,
    aliases: Object.freeze([...aliases].sort()) as string[],
    installedVersion: lead.lookup.version,
    fixedVersion,
    status,
    severity: chosen.severity,
    severitySource: chosen.source,
    cvss: frozenAll(chosen.cvss),
    kev: info?.kev ? Object.freeze({ ...info.kev }) : undefined,
    epss: info?.epss ? Object.freeze({ ...info.epss }) : undefined,
    title: info?.summary || advInfo.summary ? (info?.summary ?? advInfo.summary) : undefined,
    description: info?.description || advInfo.details ? (info?.description ?? advInfo.details) : undefined,
    references: references.length ? (Object.freeze(references) as string[]) : undefined,
    published: info?.published || advInfo.published ? (info?.published ?? advInfo.published) : undefined,
    explanation: Object.freeze(explanation),
  });
}

/** A Finding of the shared part for one package: its own object, the package's name and layer. */
function findingFrom(s: SharedPart, pkg: Package, layers: ReadonlyMap<string, LayerInfo>): Finding {
  // Assigned in the order a Finding's keys are written (reports serialise in this order).
  const f = { id: s.id, aliases: s.aliases, package: findingPackage(pkg), installedVersion: s.installedVersion } as Finding;
  if (s.fixedVersion !== undefined) f.fixedVersion = s.fixedVersion;
  f.status = s.status;
  f.severity = s.severity;
  f.severitySource = s.severitySource;
  f.cvss = s.cvss;
  if (s.kev) f.kev = s.kev;
  if (s.epss) f.epss = s.epss;
  const layer = layerOf(pkg, layers);
  if (layer) f.layer = layer;
  if (s.title !== undefined) f.title = s.title;
  if (s.description !== undefined) f.description = s.description;
  if (s.references) f.references = s.references;
  if (s.published !== undefined) f.published = s.published;
  f.explanation = s.explanation;
  return f;
}

/** What a Decided remembers: the shared part for the last VulnInfo (and kind of package) it was built for. */
interface Memo {
  info: VulnInfo | undefined;
  distroRates: boolean;
  isOs: boolean;
  part: SharedPart;
}

/**
 * The finding for one (package, vulnerability) the rules decided is affected
 * (rules.ts decidePackage); undefined when the vulnerability is rejected. Its
 * arrays and nested objects are frozen (see SharedPart), and reused
 * while the store hands out the same VulnInfo (it does while the info is in its
 * cache; a new database gives new objects).
 */
export function findingOfDecided(d: Decided, pkg: Package, scheme: VersionScheme, info: VulnInfo | undefined, layers: ReadonlyMap<string, LayerInfo>): Finding | undefined {
  if (info?.rejected) return undefined;
  const distroRates = distroRatesSeverity(pkg);
  const isOs = pkg.kind === 'os';
  let memo = d.memo as Memo | undefined;
  if (!memo || memo.info !== info || memo.distroRates !== distroRates || memo.isOs !== isOs || memo.part.explanation.scheme !== scheme.id) {
    memo = { info, distroRates, isOs, part: sharedPart(d.id, d.verdicts, d.decision, scheme, info, distroRates, isOs) };
    d.memo = memo;
  }
  return findingFrom(memo.part, pkg, layers);
}

function ruleText(lead: Verdict, fixedVersion: string | undefined): string {
  const where = `${lead.adv.id} (${lead.adv.source}, ${lead.adv.ecosystem})`;
  if (fixedVersion !== undefined) return `installed ${lead.lookup.version} < fixed ${fixedVersion}: ${where}`;
  const note = lead.adv.statusNote ? `${lead.adv.statusNote}; ` : '';
  return `${note}${lead.match.reason}: ${where}`;
}

function uniqueAdvisories(verdicts: readonly Verdict[]): Array<{ id: string; source: string; ecosystem: string }> {
  const seen = new Set<string>();
  const out: Array<{ id: string; source: string; ecosystem: string }> = [];
  for (const v of verdicts) {
    const key = `${v.adv.source} ${v.adv.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: v.adv.id, source: v.adv.source, ecosystem: v.adv.ecosystem });
  }
  return out.sort((a, b) => sourcePriority(a.source) - sourcePriority(b.source) || a.id.localeCompare(b.id));
}

function referencesOf(info: VulnInfo | undefined, verdicts: readonly Verdict[]): string[] {
  const refs = new Set<string>(info?.references ?? []);
  for (const v of verdicts) for (const r of v.adv.references ?? []) refs.add(r);
  return [...refs].slice(0, 20);
}
