/**
 * The matching rules, pure and synchronous over an AdvisorySnapshot: which
 * names and versions a package is looked up by, what each record says about
 * it (a Verdict), and which records decide when they disagree (a Decision).
 * finding.ts turns a Decision into the Finding a report shows; matcher.ts
 * fetches the snapshot and the vulnerability facts around them.
 *
 * Distro rules:
 * - OS packages are looked up in their distro's ecosystem by SOURCE package
 *   and compared at the SOURCE version (a binNMU `+b2` binary version is not
 *   what advisories speak of). Feeds that name binary packages (Ubuntu's USN
 *   OVAL, rpm-family feeds) are also looked up by binary name and version.
 * - A record's status says what its fixed version means: `fixed` = fixed in
 *   this release at that version; `affected` (and the other open states) with
 *   a range = vulnerable below that version but no fix in this release (the
 *   Debian tracker's inherited unstable fix); open states without a range =
 *   vulnerable at any version. `not_affected` records veto the others.
 * - A finding's aliases are the ids and aliases of the records that matched
 *   THIS package, not every id the database links to the CVE (those name
 *   other packages' advisories, and ignore rules and VEX match aliases), and
 *   never another CVE (a DSA or USN fixing five CVEs is an alias of each,
 *   the five are not aliases of one another).
 * - When records disagree about one (package, vulnerability), precedence is
 *   by TIER (tierOf), then within the deciding tier:
 *     tier 0: what the distribution states for THIS release — the tracker's
 *             own `[release]` lines and JSON, DSA/DLA/DTSA release lines,
 *             the distro's OVAL, Alpine/Wolfi/Chainguard secdb;
 *     tier 1: the Debian tracker's unstable state INHERITED by a release
 *             that has no line of its own (debian-cve-list.ts) — the tracker
 *             shows it only when nothing above speaks for the release;
 *     tier 2: everything else (OSV and other aggregators).
 *   The lowest tier with any record decides, alone. Within it:
 *     1. a `not_affected` record vetoes (tracker `<not-affected>` beats an
 *        OVAL `0:0`; Alpine's `0`);
 *     2. records that state only an open state without a version (tracker
 *        `<unfixed>`/`<no-dsa>`/`<postponed>`, OVAL `0:0`) yield to a fixed
 *        version stated for the release by another record of the tier (a
 *        DSA fixing a CVE the older OVAL still shows open);
 *     3. of the fixed versions below which the package is affected, the
 *        HIGHEST decides (a DSA, then its regression update; an OVAL newer
 *        than the DSA list) — affected iff installed < it;
 *     4. with no fix, the open state of the most specific source is shown
 *        (distroSourcePriority, from each distro's descriptor in core/distros.ts:
 *        tracker `<no-dsa>` → `will_not_fix` rather than
 *        OVAL's plain `affected`).
 */
import type { AdvisorySnapshot, PackageKey, StoredAdvisory, VulnStatus } from '../core/advisory.js';
import { distroSourcePriority, isRpmFamily, ratesOwnSeverity } from '../core/distros.js';
import type { Package } from '../core/package.js';
import type { RangeMatch, VersionScheme } from '../core/version.js';
import { affectedByFix, evaluateRanges } from '../versioning/index.js';
import { ecosystemFamily } from '../vulndb/names.js';

/** Rule 4's order for sources that are not a distro's own (aggregators), after every distro source. */
const DEFAULT_PRIORITY = 3;

/** What the distro descriptors say about an ecosystem's family, asked per package: remembered per ecosystem (bounded). */
interface FamilyFacts {
  readonly rpm: boolean;
  readonly ratesOwnSeverity: boolean;
}
const familyFacts = new Map<string, FamilyFacts>();
const FAMILY_FACTS_ENTRIES = 256;

function factsOf(ecosystem: string): FamilyFacts {
  let facts = familyFacts.get(ecosystem);
  if (facts === undefined) {
    if (familyFacts.size >= FAMILY_FACTS_ENTRIES) familyFacts.clear();
    const family = ecosystemFamily(ecosystem);
    familyFacts.set(ecosystem, (facts = { rpm: isRpmFamily(family), ratesOwnSeverity: ratesOwnSeverity(family) }));
  }
  return facts;
}

/** Whether a package's distro rates severity itself (its ratings come first). */
export function distroRatesSeverity(pkg: Package): boolean {
  return pkg.kind === 'os' && factsOf(pkg.ecosystem).ratesOwnSeverity;
}

/** Precedence tier (header): 0 = the release's own statement, 1 = inherited from unstable, 2 = aggregators. */
function tierOf(adv: StoredAdvisory): number {
  if (adv.inheritedFrom !== undefined) return 1;
  return distroSourcePriority(adv.source) !== undefined ? 0 : 2;
}

export function sourcePriority(source: string): number {
  return distroSourcePriority(source) ?? DEFAULT_PRIORITY;
}

/**
 * Which records may speak of a package under a lookup's name: `any` (the
 * package's own name, the usual kind of name for its ecosystem), `source`
 * (the source package: records not marked as naming binaries), `binary`
 * (a binary's name: records marked as naming binaries), `binary-rpm` (the
 * same, and rpm feeds' records, which name binaries without saying so).
 */
export type LookupAccepts = 'any' | 'source' | 'binary' | 'binary-rpm';

/** One name and version a package is looked up by, and which records may speak of it under that name. */
export interface Lookup {
  name: string;
  version: string;
  matchedBy: 'source-package' | 'package';
  accepts: LookupAccepts;
}

function accepts(lookup: Lookup, adv: StoredAdvisory): boolean {
  switch (lookup.accepts) {
    case 'any':
      return true;
    case 'source':
      return adv.packageKind !== 'binary';
    case 'binary':
      return adv.packageKind === 'binary';
    case 'binary-rpm':
      return adv.packageKind === 'binary' || adv.packageKind === undefined;
  }
}

/** What one record says about one lookup of a package. */
export interface Verdict {
  adv: StoredAdvisory;
  lookup: Lookup;
  affected: boolean;
  status: VulnStatus;
  fixedVersion?: string;
  match: RangeMatch;
}

/** The records that decided for one (package, vulnerability), by rules 1–4 of the header. */
export interface Decision {
  /** The record shown as the reason: the one with the deciding fix, else the most specific open state. */
  lead: Verdict;
  /** The deciding tier's records under which the package is affected, most specific source first. */
  affected: Verdict[];
  fixedVersion?: string;
  status: VulnStatus;
}

/** Whether the scheme accepts a version, remembered per scheme (bounded): asked for every package of every inventory. */
const validVersions = new WeakMap<VersionScheme, Map<string, boolean>>();
const VALID_VERSIONS_ENTRIES = 16384;

function isValidVersion(scheme: VersionScheme, version: string): boolean {
  let known = validVersions.get(scheme);
  if (!known) validVersions.set(scheme, (known = new Map<string, boolean>()));
  let valid = known.get(version);
  if (valid === undefined) {
    if (known.size >= VALID_VERSIONS_ENTRIES) known.clear();
    known.set(version, (valid = scheme.isValid(version)));
  }
  return valid;
}

/** Versions that name no release and cannot be compared (Go `(devel)`, empty). */
function unmatchableVersion(v: string): boolean {
  return v === '' || v === '(devel)' || v === 'devel';
}

function lookupsFor(pkg: Package): Lookup[] {
  const source = pkg.source;
  if (pkg.kind !== 'os' || !source || (source.name === pkg.name && source.version === pkg.version)) {
    return [{ name: pkg.name, version: pkg.version, matchedBy: 'package', accepts: 'any' }];
  }
  return [
    { name: source.name, version: source.version, matchedBy: 'source-package', accepts: 'source' },
    // rpm feeds name binary packages without saying so; Debian-family feeds say `binary` when they do.
    { name: pkg.name, version: pkg.version, matchedBy: 'package', accepts: factsOf(pkg.ecosystem).rpm ? 'binary-rpm' : 'binary' },
  ];
}

/** The keys a store is asked for to match these packages, each once. */
export function lookupKeys(packages: readonly Package[]): PackageKey[] {
  const keys: PackageKey[] = [];
  const seen = new Map<string, Set<string>>();
  for (const pkg of packages) {
    let names = seen.get(pkg.ecosystem);
    if (!names) seen.set(pkg.ecosystem, (names = new Set<string>()));
    for (const l of lookupsFor(pkg)) {
      if (names.has(l.name)) continue;
      names.add(l.name);
      keys.push({ ecosystem: pkg.ecosystem, name: l.name });
    }
  }
  return keys;
}

function hasRanges(adv: StoredAdvisory): boolean {
  return adv.ranges.length > 0 || (adv.versions?.length ?? 0) > 0;
}

function judge(adv: StoredAdvisory, lookup: Lookup, scheme: VersionScheme): Verdict | undefined {
  if (adv.status === 'not_affected') {
    return { adv, lookup, affected: false, status: 'not_affected', match: { affected: false, reason: adv.statusNote ?? 'not affected' } };
  }
  if (!hasRanges(adv)) {
    if (adv.status === 'fixed') return undefined; // a fix without a version says nothing to compare
    const match = affectedByFix(scheme, lookup.version);
    return { adv, lookup, affected: match.affected, status: adv.status, match };
  }
  const match = evaluateRanges(scheme, lookup.version, adv.ranges, adv.versions);
  if (!match.affected && match.skipped?.length && !match.reason.startsWith('not affected')) return undefined;
  // `fixed` says the record knows a fix somewhere; the range that matched may have none yet (OSV `introduced` without `fixed`).
  const fixedHere = adv.status === 'fixed' && match.fixed !== undefined;
  return {
    adv,
    lookup,
    affected: match.affected,
    status: fixedHere ? 'fixed' : adv.status === 'fixed' ? 'affected' : adv.status,
    ...(fixedHere ? { fixedVersion: match.fixed } : {}),
    match,
  };
}

/**
 * What the records of one package row say about one lookup, per vulnerability
 * id, remembered per row (the store hands out the same decoded row until it
 * evicts it, and a new database gives new rows): a server re-matching many
 * inventories judges a (package, version) once. Bounded per row.
 */
type Judged = ReadonlyArray<readonly [string, Verdict]>;
/** One judged lookup of a row at one version: the rest of what the judging depended on, and its outcome. */
interface JudgedLookup {
  /** The name too: two spellings the store normalises to one row (PyPI `Foo_Bar`, `foo-bar`) are each shown as looked up. */
  readonly name: string;
  readonly accepts: LookupAccepts;
  readonly matchedBy: Lookup['matchedBy'];
  readonly includeInformational: boolean;
  readonly judged: Judged;
}
const judgedRows = new WeakMap<readonly StoredAdvisory[], Map<string, JudgedLookup[]>>();
const VERSIONS_PER_ROW = 32;
const LOOKUPS_PER_VERSION = 8;

function judgedBefore(advisories: readonly StoredAdvisory[], lookup: Lookup, includeInformational: boolean): Judged | undefined {
  const list = judgedRows.get(advisories)?.get(lookup.version);
  if (list === undefined) return undefined;
  for (const j of list) {
    if (j.name === lookup.name && j.accepts === lookup.accepts && j.matchedBy === lookup.matchedBy && j.includeInformational === includeInformational) return j.judged;
  }
  return undefined;
}

function judgeLookup(advisories: readonly StoredAdvisory[], lookup: Lookup, scheme: VersionScheme, includeInformational: boolean): Judged {
  const known = judgedBefore(advisories, lookup, includeInformational);
  if (known) return known;
  const judged: Array<readonly [string, Verdict]> = [];
  for (const adv of advisories) {
    if (adv.withdrawn) continue;
    if (adv.informational && !includeInformational) continue;
    if (!accepts(lookup, adv)) continue;
    const verdict = judge(adv, lookup, scheme);
    if (!verdict) continue;
    for (const id of adv.vulnIds) judged.push([id, verdict]);
  }
  let byVersion = judgedRows.get(advisories);
  if (!byVersion) judgedRows.set(advisories, (byVersion = new Map<string, JudgedLookup[]>()));
  let list = byVersion.get(lookup.version);
  if (!list || list.length >= LOOKUPS_PER_VERSION) {
    if (byVersion.size >= VERSIONS_PER_ROW) byVersion.clear();
    byVersion.set(lookup.version, (list = []));
  }
  list.push({ name: lookup.name, accepts: lookup.accepts, matchedBy: lookup.matchedBy, includeInformational, judged });
  return judged;
}

/** Rules 1–4 of the header over the verdicts about one (package, vulnerability); undefined = not affected. */
export function decide(verdicts: readonly Verdict[], scheme: VersionScheme): Decision | undefined {
  const tier = Math.min(...verdicts.map((v) => tierOf(v.adv)));
  const deciding = verdicts.filter((v) => tierOf(v.adv) === tier);
  // Rule 1: a `not_affected` statement of the deciding tier vetoes.
  if (deciding.some((v) => v.status === 'not_affected')) return undefined;
  // Rule 2: a bare open state yields to a fixed version stated by the same tier.
  const statesFix = deciding.some((v) => v.adv.status === 'fixed' && hasRanges(v.adv));
  const considered = statesFix ? deciding.filter((v) => hasRanges(v.adv)) : deciding;
  // Rule 4 orders the rest: the most specific source's open state leads.
  const affected = considered.filter((v) => v.affected).sort((a, b) => sourcePriority(a.adv.source) - sourcePriority(b.adv.source));
  if (affected.length === 0) return undefined;
  // Rule 3: several fixes below which the package is affected: the one that covers all of them is the highest.
  const fixed = affected
    .map((v) => v.fixedVersion)
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => scheme.compare(a, b));
  const fixedVersion = fixed.at(-1);
  const lead = affected.find((v) => v.fixedVersion === fixedVersion) ?? affected.at(0);
  if (!lead) return undefined;
  return { lead, affected, ...(fixedVersion !== undefined ? { fixedVersion } : {}), status: fixedVersion !== undefined ? 'fixed' : lead.status };
}

/**
 * One vulnerability a package is affected by: the verdicts about it and the
 * Decision over them. `memo` is finding.ts's cache of the package-independent
 * part of its Finding (keyed by the VulnInfo the store handed out).
 */
export interface Decided {
  readonly id: string;
  readonly verdicts: readonly Verdict[];
  readonly decision: Decision;
  memo: unknown;
}

/**
 * The decided outcome of a package, remembered per judged lookups (their
 * identity: judgeLookup hands out the same list for a row and version until
 * the store evicts the row or the row's versions overflow): a server
 * re-matching many inventories decides a (package, version) once. Weakly held
 * by the judged lists, so bounded by judgeLookup's bound.
 */
export interface Outcome {
  /** The vulnerabilities the package is affected by, in the order their first verdict was judged. */
  readonly decided: readonly Decided[];
  /** Whether any record spoke of the package (a verdict was judged), affected or not. */
  readonly judged: boolean;
}
const NO_OUTCOME: Outcome = Object.freeze({ decided: Object.freeze([]), judged: false });
const NOT_LOOKED_UP: Judged = Object.freeze([]);
const outcomes = new WeakMap<Judged, WeakMap<Judged, Outcome>>();

function outcomeOf(judged: readonly Judged[], scheme: VersionScheme): Outcome {
  const byVuln = new Map<string, Verdict[]>();
  for (const list of judged) {
    for (const [id, verdict] of list) {
      const verdicts = byVuln.get(id);
      if (verdicts) verdicts.push(verdict);
      else byVuln.set(id, [verdict]);
    }
  }
  const decided: Decided[] = [];
  for (const [id, verdicts] of byVuln) {
    const decision = decide(verdicts, scheme);
    if (decision) decided.push({ id, verdicts, decision, memo: undefined });
  }
  return Object.freeze({ decided: Object.freeze(decided), judged: byVuln.size > 0 });
}

/**
 * Every record about one package, judged (per lookup), grouped by the
 * vulnerability it speaks for and decided (rules 1–4). Problems (a version
 * the scheme rejects) go to `warnings`.
 */
export function decidePackage(
  pkg: Package,
  scheme: VersionScheme,
  snapshot: AdvisorySnapshot,
  options: { includeInformational?: boolean },
  warnings: Set<string>,
): Outcome {
  const lookups = lookupsFor(pkg);
  if (lookups.length > 2) throw new Error('internal: more than two lookups for a package');
  let first = NOT_LOOKED_UP;
  let second = NOT_LOOKED_UP;
  for (let i = 0; i < lookups.length; i++) {
    const lookup = lookups[i] as Lookup;
    if (unmatchableVersion(lookup.version)) continue;
    if (!isValidVersion(scheme, lookup.version)) {
      warnings.add(`${pkg.ecosystem} package ${lookup.name}: version ${lookup.version} is not a valid ${scheme.id} version; not matched`);
      continue;
    }
    const advisories = snapshot.advisoriesFor({ ecosystem: pkg.ecosystem, name: lookup.name });
    if (advisories.length === 0) continue;
    const judged = judgeLookup(advisories, lookup, scheme, options.includeInformational === true);
    if (i === 0) first = judged;
    else second = judged;
  }
  if (first.length === 0 && second.length === 0) return NO_OUTCOME;
  let bySecond = outcomes.get(first);
  let known = bySecond?.get(second);
  if (known) return known;
  known = outcomeOf([first, second], scheme);
  if (!bySecond) outcomes.set(first, (bySecond = new WeakMap<Judged, Outcome>()));
  bySecond.set(second, known);
  return known;
}
