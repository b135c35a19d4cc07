/**
 * Inventory × VulnStore → findings. One finding per (package,
 * vulnerability), whatever number of records (DSA, tracker CVE entry, OVAL
 * definition, OSV record) speak of it; every finding carries the evidence.
 *
 * Two questions to the store per inventory, both batched: the advisories of
 * every package (one AdvisorySnapshot), then the facts of the vulnerabilities
 * the rules found. Between them everything is pure: the rules (rules.ts,
 * where the distro rules and the precedence between records are written
 * down) and the findings they make (finding.ts, cpe.ts).
 */
import type { VulnInfo, VulnStore } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { Package } from '../core/package.js';
import type { LayerInfo } from '../core/result.js';
import type { VersionScheme } from '../core/version.js';
import { schemeForEcosystem } from '../versioning/index.js';
import { type CpeCandidate, cpeCandidates, cpeFinding, cpeProductOf } from './cpe.js';
import { findingOfDecided } from './finding.js';
import { type Decided, decidePackage, lookupKeys } from './rules.js';

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

/** What the rules found, before the vulnerabilities' facts are known: in package order. */
type Candidate =
  | { kind: 'advisory'; id: string; pkg: Package; decided: Decided; scheme: VersionScheme }
  | { kind: 'cpe'; pkg: Package; cpe: CpeCandidate };

export async function matchInventory(inventory: { packages: readonly Package[] }, store: VulnStore, options: MatchOptions = {}): Promise<MatchOutcome> {
  // Packages attributed to their OS package are matched there.
  const packages = inventory.packages.filter((p) => !p.ownedBy);
  const cpeProducts = options.cpeMatch ? packages.map(cpeProductOf).filter((p) => p !== undefined) : [];
  const snapshot = await store.lookup({ packages: lookupKeys(packages), cpeProducts });

  const warnings = new Set<string>();
  const candidates: Candidate[] = [];
  // Packages of ecosystems the database has no feed for: "no findings" there means "not checked", and says so.
  const uncovered = new Map<string, number>();
  for (const pkg of packages) {
    const scheme = schemeForEcosystem(pkg.ecosystem);
    const covered = snapshot.covers(pkg.ecosystem);
    if (!scheme) {
      if (pkg.kind === 'os' || covered) warnings.add(`no version scheme for ecosystem ${pkg.ecosystem}: its packages were not matched`);
      continue;
    }
    if (!covered) uncovered.set(pkg.ecosystem, (uncovered.get(pkg.ecosystem) ?? 0) + 1);
    const outcome = decidePackage(pkg, scheme, snapshot, options, warnings);
    for (const d of outcome.decided) candidates.push({ kind: 'advisory', id: d.id, pkg, decided: d, scheme });
    if (options.cpeMatch && !outcome.judged && !covered) {
      for (const cpe of cpeCandidates(pkg, snapshot)) candidates.push({ kind: 'cpe', pkg, cpe });
    }
  }
  for (const [ecosystem, count] of [...uncovered].sort((a, b) => a[0].localeCompare(b[0]))) {
    const how = options.cpeMatch ? 'were matched by CPE only' : 'were not checked';
    warnings.add(`the vulnerability database has no advisories for ${ecosystem}: its ${count} package${count === 1 ? '' : 's'} ${how}`);
  }

  const ids = [...new Set(candidates.map((c) => (c.kind === 'cpe' ? c.cpe.id : c.id)))];
  const infos: ReadonlyMap<string, VulnInfo> = ids.length ? await store.vulnerabilities(ids) : new Map();
  const layers = new Map((options.layers ?? []).map((l) => [l.diffId, l]));
  const findings: Finding[] = [];
  for (const c of candidates) {
    const finding =
      c.kind === 'cpe'
        ? cpeFinding(c.pkg, c.cpe, infos.get(c.cpe.id), layers)
        : findingOfDecided(c.decided, c.pkg, c.scheme, infos.get(c.id), layers);
    if (finding) findings.push(finding);
  }
  return { findings, warnings: [...warnings] };
}
