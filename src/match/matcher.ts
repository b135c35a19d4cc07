/**
 * Inventory × VulnStore → findings. One finding per (package,
 * vulnerability), whatever number of records (DSA, tracker CVE entry, OVAL
 * definition, OSV record) speak of it; every finding carries the evidence.
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
 *        (SOURCE_PRIORITY: tracker `<no-dsa>` → `will_not_fix` rather than
 *        OVAL's plain `affected`).
 */
import type { Advisory, Severity, VulnInfo, VulnStatus, VulnStore } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { LayerInfo } from '../core/result.js';
import type { RangeMatch, VersionScheme } from '../core/version.js';
import { affectedByFix, evaluateRanges, schemeForEcosystem } from '../versioning/index.js';
import { ecosystemFamily, normalizePackageName } from '../vulndb/names.js';
import { matchByCpe } from './cpe.js';
import { memoizeStore } from './memo.js';
import { chooseSeverity } from './severity.js';

export interface MatchOptions {
  /** Also match packages no ecosystem feed covers against NVD CPE configurations. */
  cpeMatch?: boolean;
  /** Include informational records (crates.io unmaintained/unsound notices). */
  includeInformational?: boolean;
  /** The image's layers, to name the layer (and its history line) that brought each package. */
  layers?: readonly LayerInfo[];
}

export interface MatchOutcome {
  findings: Finding[];
  warnings: string[];
}

/**
 * Sources that speak for one distro release (tier 0, see the header);
 * the number orders them by specificity for the open state shown (rule 4):
 * the tracker's own per-release data beats advisories derived from it
 * (DSA/DLA lists, OVAL).
 */
const SOURCE_PRIORITY: Readonly<Record<string, number>> = {
  'debian-cve-list': 0,
  'debian-tracker-json': 0,
  'alpine-secdb': 0,
  'wolfi-secdb': 0,
  'chainguard-secdb': 0,
  'debian-dsa': 1,
  'debian-dla': 1,
  'debian-dtsa': 1,
  'debian-oval': 2,
  'ubuntu-oval': 2,
};
const DEFAULT_PRIORITY = 3;

/** Precedence tier (header): 0 = the release's own statement, 1 = inherited from unstable, 2 = aggregators. */
function tierOf(adv: Advisory): number {
  if (adv.inheritedFrom !== undefined) return 1;
  return adv.source in SOURCE_PRIORITY ? 0 : 2;
}

/** Sources whose ratings are the distribution's own. */
const DISTRO_FAMILIES = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard']);

const RPM_FAMILIES = new Set([
  'Red Hat',
  'Rocky Linux',
  'AlmaLinux',
  'openSUSE',
  'SUSE',
  'Photon OS',
  'Mariner',
  'Azure Linux',
  'Amazon Linux',
  'Oracle Linux',
  'Fedora',
  'CentOS',
]);

interface Lookup {
  name: string;
  version: string;
  matchedBy: 'source-package' | 'package';
  accepts(adv: Advisory): boolean;
}

interface Verdict {
  adv: Advisory;
  lookup: Lookup;
  affected: boolean;
  status: VulnStatus;
  fixedVersion?: string;
  match: RangeMatch;
}

/** Versions that name no release and cannot be compared (Go `(devel)`, empty). */
function unmatchableVersion(v: string): boolean {
  return v === '' || v === '(devel)' || v === 'devel';
}

function lookupsFor(pkg: Package): Lookup[] {
  if (pkg.kind !== 'os') {
    return [{ name: pkg.name, version: pkg.version, matchedBy: 'package', accepts: () => true }];
  }
  const rpmFamily = RPM_FAMILIES.has(ecosystemFamily(pkg.ecosystem));
  const source = pkg.source;
  if (!source || (source.name === pkg.name && source.version === pkg.version)) {
    return [{ name: pkg.name, version: pkg.version, matchedBy: 'package', accepts: () => true }];
  }
  return [
    { name: source.name, version: source.version, matchedBy: 'source-package', accepts: (a) => a.packageKind !== 'binary' },
    {
      name: pkg.name,
      version: pkg.version,
      matchedBy: 'package',
      // rpm feeds name binary packages without saying so; Debian-family feeds say `binary` when they do.
      accepts: (a) => a.packageKind === 'binary' || (rpmFamily && a.packageKind === undefined),
    },
  ];
}

function isCve(id: string): boolean {
  return id.startsWith('CVE-');
}

/**
 * The vulnerability ids a record speaks for: its CVEs, or itself when it
 * has none. The store's alias groups are asked only when the record names no
 * CVE itself (a GHSA-only record): most records do, and the query is the
 * costliest step of matching.
 */
function vulnIdsOf(adv: Advisory, store: VulnStore): string[] {
  const own = [adv.id, ...adv.aliases].filter(isCve);
  if (own.length) return [...new Set(own)];
  const linked = (store.aliasesOf?.(adv.id) ?? []).filter(isCve);
  return linked.length ? [...new Set(linked)] : [adv.id];
}

function hasRanges(adv: Advisory): boolean {
  return adv.ranges.length > 0 || (adv.versions?.length ?? 0) > 0;
}

function judge(adv: Advisory, lookup: Lookup, scheme: VersionScheme): Verdict | undefined {
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

function priority(source: string): number {
  return SOURCE_PRIORITY[source] ?? DEFAULT_PRIORITY;
}

export function matchInventory(
  inventory: { packages: readonly Package[] },
  database: VulnStore,
  options: MatchOptions = {},
): MatchOutcome {
  const store = memoizeStore(database);
  const warnings = new Set<string>();
  const findings: Finding[] = [];
  const layerByDiffId = new Map((options.layers ?? []).map((l) => [l.diffId, l]));
  // Packages of ecosystems the database has no feed for: "no findings" there means "not checked", and says so.
  const uncovered = new Map<string, number>();

  for (const pkg of inventory.packages) {
    if (pkg.ownedBy) continue; // attributed to its OS package: matched there
    const scheme = schemeForEcosystem(pkg.ecosystem);
    if (!scheme) {
      if (pkg.kind === 'os' || store.covers(pkg.ecosystem)) warnings.add(`no version scheme for ecosystem ${pkg.ecosystem}: its packages were not matched`);
      continue;
    }
    if (!store.covers(pkg.ecosystem)) uncovered.set(pkg.ecosystem, (uncovered.get(pkg.ecosystem) ?? 0) + 1);
    const byVuln = new Map<string, Verdict[]>();
    for (const lookup of lookupsFor(pkg)) {
      if (unmatchableVersion(lookup.version)) continue;
      if (!scheme.isValid(lookup.version)) {
        warnings.add(`${pkg.ecosystem} package ${lookup.name}: version ${lookup.version} is not a valid ${scheme.id} version; not matched`);
        continue;
      }
      const advisories = store.advisoriesFor(pkg.ecosystem, normalizePackageName(pkg.ecosystem, lookup.name));
      for (const adv of advisories) {
        if (adv.withdrawn) continue;
        if (adv.informational && !options.includeInformational) continue;
        if (!lookup.accepts(adv)) continue;
        const verdict = judge(adv, lookup, scheme);
        if (!verdict) continue;
        for (const id of vulnIdsOf(adv, store)) {
          const list = byVuln.get(id);
          if (list) list.push(verdict);
          else byVuln.set(id, [verdict]);
        }
      }
    }
    for (const [id, verdicts] of byVuln) {
      const finding = decide(id, pkg, verdicts, scheme, store, layerByDiffId);
      if (finding) findings.push(finding);
    }
    if (options.cpeMatch && byVuln.size === 0 && !store.covers(pkg.ecosystem)) {
      findings.push(...matchByCpe(pkg, store, layerByDiffId));
    }
  }
  for (const [ecosystem, count] of [...uncovered].sort((a, b) => a[0].localeCompare(b[0]))) {
    const how = options.cpeMatch ? 'were matched by CPE only' : 'were not checked';
    warnings.add(`the vulnerability database has no advisories for ${ecosystem}: its ${count} package${count === 1 ? '' : 's'} ${how}`);
  }
  return { findings, warnings: [...warnings] };
}

function decide(
  id: string,
  pkg: Package,
  verdicts: Verdict[],
  scheme: VersionScheme,
  store: VulnStore,
  layers: ReadonlyMap<string, LayerInfo>,
): Finding | undefined {
  const tier = Math.min(...verdicts.map((v) => tierOf(v.adv)));
  const deciding = verdicts.filter((v) => tierOf(v.adv) === tier);
  // Rule 1: a `not_affected` statement of the deciding tier vetoes.
  if (deciding.some((v) => v.status === 'not_affected')) return undefined;
  // Rule 2: a bare open state yields to a fixed version stated by the same tier.
  const statesFix = deciding.some((v) => v.adv.status === 'fixed' && hasRanges(v.adv));
  const considered = statesFix ? deciding.filter((v) => hasRanges(v.adv)) : deciding;
  // Rule 4 orders the rest: the most specific source's open state leads.
  const affected = considered.filter((v) => v.affected).sort((a, b) => priority(a.adv.source) - priority(b.adv.source));
  if (affected.length === 0) return undefined;

  const info = store.vulnerability(id);
  if (info?.rejected) return undefined;

  // Rule 3: several fixes below which the package is affected: the one that covers all of them is the highest.
  const fixed = affected
    .map((v) => v.fixedVersion)
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => scheme.compare(a, b));
  const fixedVersion = fixed.at(-1);
  const lead = affected.find((v) => v.fixedVersion === fixedVersion) ?? affected.at(0);
  if (!lead) return undefined;
  const status: VulnStatus = fixedVersion !== undefined ? 'fixed' : lead.status;

  // The names the matched records give it — not every id known for the CVE: a RUSTSEC record of
  // the openssl-src crate is not an alias of Alpine's openssl finding, and ignoring it must not hide
  // this one. A record that fixes several CVEs (a DSA, a USN) names each of them: the others are
  // other vulnerabilities, never aliases.
  const aliases = new Set<string>();
  for (const v of verdicts) {
    for (const a of [v.adv.id, ...v.adv.aliases]) if (!isCve(a) || a === id) aliases.add(a);
  }
  aliases.delete(id);

  const family = ecosystemFamily(pkg.ecosystem);
  // The distro's rating of the vulnerability, from the deciding records first, then from the others about this
  // package (the tracker's urgency sits on its CVE entry even when a DSA line decided the fix).
  const ratings = (vs: readonly Verdict[]) => vs.flatMap((v) => v.adv.severity.filter((s) => s.type === 'rating'));
  const distroSeverities: Severity[] =
    pkg.kind === 'os' && DISTRO_FAMILIES.has(family) ? [...ratings(affected), ...ratings(verdicts.filter((v) => v.status !== 'not_affected'))] : [];
  const otherSeverities: Severity[] = [
    ...(info?.severity ?? []),
    ...affected.flatMap((v) => v.adv.severity.filter((s) => s.type !== 'rating' || pkg.kind !== 'os')),
  ];
  const chosen = chooseSeverity(distroSeverities, otherSeverities);
  const layer = pkg.layer ? layers.get(pkg.layer) : undefined;
  const advInfo = lead.adv;
  const trackerState = lead.adv.statusNote?.startsWith('<') ? lead.adv.statusNote.replace(/\s.*$/, '') : undefined;
  const rule = ruleText(lead, fixedVersion);

  return {
    id,
    aliases: [...aliases].sort(),
    package: {
      name: pkg.name,
      version: pkg.version,
      ecosystem: pkg.ecosystem,
      purl: pkg.purl,
      ...(pkg.source ? { source: pkg.source } : {}),
      paths: pkg.paths,
    },
    installedVersion: lead.lookup.version,
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
    status,
    severity: chosen.severity,
    severitySource: chosen.source,
    cvss: chosen.cvss,
    ...(info?.kev ? { kev: info.kev } : {}),
    ...(info?.epss ? { epss: info.epss } : {}),
    ...(pkg.layer
      ? { layer: { diffId: pkg.layer, ...(layer?.digest ? { digest: layer.digest } : {}), ...(layer?.createdBy ? { createdBy: layer.createdBy } : {}) } }
      : {}),
    ...(info?.summary || advInfo.summary ? { title: info?.summary ?? advInfo.summary } : {}),
    ...(info?.description || advInfo.details ? { description: info?.description ?? advInfo.details } : {}),
    ...(referencesOf(info, affected).length ? { references: referencesOf(info, affected) } : {}),
    ...(info?.published || advInfo.published ? { published: info?.published ?? advInfo.published } : {}),
    explanation: {
      matchedBy: lead.lookup.matchedBy,
      lookupName: lead.lookup.name,
      comparedVersion: lead.lookup.version,
      scheme: scheme.id,
      advisories: uniqueAdvisories(verdicts),
      rule,
      ...(lead.match.introduced !== undefined ? { introduced: lead.match.introduced } : {}),
      ...(fixedVersion !== undefined ? { fixed: fixedVersion } : lead.match.fixed !== undefined ? { fixed: lead.match.fixed } : {}),
      ...(lead.match.lastAffected !== undefined ? { lastAffected: lead.match.lastAffected } : {}),
      ...(trackerState ? { trackerState } : {}),
    },
  };
}

function ruleText(lead: Verdict, fixedVersion: string | undefined): string {
  const where = `${lead.adv.id} (${lead.adv.source}, ${lead.adv.ecosystem})`;
  if (fixedVersion !== undefined) return `installed ${lead.lookup.version} < fixed ${fixedVersion}: ${where}`;
  const note = lead.adv.statusNote ? `${lead.adv.statusNote}; ` : '';
  return `${note}${lead.match.reason}: ${where}`;
}

function uniqueAdvisories(verdicts: Verdict[]): Array<{ id: string; source: string; ecosystem: string }> {
  const seen = new Set<string>();
  const out: Array<{ id: string; source: string; ecosystem: string }> = [];
  for (const v of verdicts) {
    const key = `${v.adv.source} ${v.adv.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: v.adv.id, source: v.adv.source, ecosystem: v.adv.ecosystem });
  }
  return out.sort((a, b) => priority(a.source) - priority(b.source) || a.id.localeCompare(b.id));
}

function referencesOf(info: VulnInfo | undefined, verdicts: Verdict[]): string[] {
  const refs = new Set<string>(info?.references ?? []);
  for (const v of verdicts) for (const r of v.adv.references ?? []) refs.add(r);
  return [...refs].slice(0, 20);
}
