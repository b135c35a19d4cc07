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
import { type Decision, distroRatesSeverity, sourcePriority, type Verdict } from './rules.js';
import { chooseSeverity } from './severity.js';

/** The package as a finding names it. */
export function findingPackage(pkg: Package): Finding['package'] {
  return { name: pkg.name, version: pkg.version, ecosystem: pkg.ecosystem, purl: pkg.purl, ...(pkg.source ? { source: pkg.source } : {}), paths: pkg.paths };
}

/** The layer that brought the package, with its digest and history line when the image has them. */
export function findingLayer(pkg: Package, layers: ReadonlyMap<string, LayerInfo>): Pick<Finding, 'layer'> {
  if (!pkg.layer) return {};
  const layer = layers.get(pkg.layer);
  return { layer: { diffId: pkg.layer, ...(layer?.digest ? { digest: layer.digest } : {}), ...(layer?.createdBy ? { createdBy: layer.createdBy } : {}) } };
}

/** The finding for one (package, vulnerability) the rules decided is affected; undefined when the vulnerability is rejected. */
export function findingOf(
  id: string,
  pkg: Package,
  verdicts: readonly Verdict[],
  decision: Decision,
  scheme: VersionScheme,
  info: VulnInfo | undefined,
  layers: ReadonlyMap<string, LayerInfo>,
): Finding | undefined {
  if (info?.rejected) return undefined;
  const { lead, affected, fixedVersion, status } = decision;

  // The names the matched records give it — not every id known for the CVE: a RUSTSEC record of
  // the openssl-src crate is not an alias of Alpine's openssl finding, and ignoring it must not hide
  // this one. A record that fixes several CVEs (a DSA, a USN) names each of them: the others are
  // other vulnerabilities, never aliases.
  const aliases = new Set<string>();
  for (const v of verdicts) {
    for (const a of [v.adv.id, ...v.adv.aliases]) if (!isCve(a) || a === id) aliases.add(a);
  }
  aliases.delete(id);

  // The distro's rating of the vulnerability, from the deciding records first, then from the others about this
  // package (the tracker's urgency sits on its CVE entry even when a DSA line decided the fix).
  const ratings = (vs: readonly Verdict[]) => vs.flatMap((v) => v.adv.severity.filter((s) => s.type === 'rating'));
  const distroSeverities: Severity[] = distroRatesSeverity(pkg) ? [...ratings(affected), ...ratings(verdicts.filter((v) => v.status !== 'not_affected'))] : [];
  const otherSeverities: Severity[] = [
    ...(info?.severity ?? []),
    ...affected.flatMap((v) => v.adv.severity.filter((s) => s.type !== 'rating' || pkg.kind !== 'os')),
  ];
  const chosen = chooseSeverity(distroSeverities, otherSeverities);
  const advInfo = lead.adv;
  const trackerState = lead.adv.statusNote?.startsWith('<') ? lead.adv.statusNote.replace(/\s.*$/, '') : undefined;
  const references = referencesOf(info, affected);

  return {
    id,
    aliases: [...aliases].sort(),
    package: findingPackage(pkg),
    installedVersion: lead.lookup.version,
    ...(fixedVersion !== undefined ? { fixedVersion } : {}),
    status,
    severity: chosen.severity,
    severitySource: chosen.source,
    cvss: chosen.cvss,
    ...(info?.kev ? { kev: info.kev } : {}),
    ...(info?.epss ? { epss: info.epss } : {}),
    ...findingLayer(pkg, layers),
    ...(info?.summary || advInfo.summary ? { title: info?.summary ?? advInfo.summary } : {}),
    ...(info?.description || advInfo.details ? { description: info?.description ?? advInfo.details } : {}),
    ...(references.length ? { references } : {}),
    ...(info?.published || advInfo.published ? { published: info?.published ?? advInfo.published } : {}),
    explanation: {
      matchedBy: lead.lookup.matchedBy,
      lookupName: lead.lookup.name,
      comparedVersion: lead.lookup.version,
      scheme: scheme.id,
      advisories: uniqueAdvisories(verdicts),
      rule: ruleText(lead, fixedVersion),
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
