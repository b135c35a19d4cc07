/**
 * The AdvisorySnapshot every store hands out: the answers for one
 * LookupRequest, fetched up front, keyed the way the store normalises names.
 */
import type { AdvisorySnapshot, CpeMatchRule, CpeProduct, LookupRequest, PackageKey, StoredAdvisory } from '../../core/advisory.js';
import { normalizeEcosystem, normalizePackageName } from '../names.js';

export interface SnapshotSource {
  /** Advisories of one package, the ecosystem and name already normalised. */
  advisories(ecosystem: string, name: string): readonly StoredAdvisory[];
  cpeMatches(vendor: string, product: string): readonly CpeMatchRule[];
  covers(ecosystem: string): boolean;
}

function productKey(p: CpeProduct): string {
  return `${p.vendor.toLowerCase()}\u0000${p.product.toLowerCase()}`;
}

/** A two-level map (ecosystem, then name): no key strings built per lookup. */
type ByPackage = Map<string, Map<string, readonly StoredAdvisory[]>>;

function getIn(map: ByPackage, ecosystem: string, name: string): readonly StoredAdvisory[] | undefined {
  return map.get(ecosystem)?.get(name);
}

function setIn(map: ByPackage, ecosystem: string, name: string, advisories: readonly StoredAdvisory[]): void {
  let byName = map.get(ecosystem);
  if (!byName) map.set(ecosystem, (byName = new Map<string, readonly StoredAdvisory[]>()));
  byName.set(name, advisories);
}

export function snapshotOf(request: LookupRequest, source: SnapshotSource): AdvisorySnapshot {
  // Keyed by the normalised names (what the store is asked, once each) and by the names as asked (what the matcher asks again).
  const normalised: ByPackage = new Map();
  const asked: ByPackage = new Map();
  const ecosystems = new Map<string, string>();
  const normalise = (ecosystem: string): string => {
    let n = ecosystems.get(ecosystem);
    if (n === undefined) ecosystems.set(ecosystem, (n = normalizeEcosystem(ecosystem)));
    return n;
  };
  const find = (key: PackageKey): readonly StoredAdvisory[] | undefined => {
    const ecosystem = normalise(key.ecosystem);
    return getIn(normalised, ecosystem, normalizePackageName(ecosystem, key.name));
  };
  for (const key of request.packages) {
    if (getIn(asked, key.ecosystem, key.name)) continue;
    const ecosystem = normalise(key.ecosystem);
    const name = normalizePackageName(ecosystem, key.name);
    let found = getIn(normalised, ecosystem, name);
    if (!found) setIn(normalised, ecosystem, name, (found = source.advisories(ecosystem, name)));
    setIn(asked, key.ecosystem, key.name, found);
  }
  const cpe = new Map<string, readonly CpeMatchRule[]>();
  for (const p of request.cpeProducts ?? []) {
    const k = productKey(p);
    if (!cpe.has(k)) cpe.set(k, source.cpeMatches(p.vendor.toLowerCase(), p.product.toLowerCase()));
  }
  const covered = new Map<string, boolean>();
  return {
    advisoriesFor(key) {
      const found = getIn(asked, key.ecosystem, key.name) ?? find(key);
      if (!found) throw new Error(`internal: ${key.ecosystem} package ${key.name} was not in the lookup request`);
      return found;
    },
    cpeMatches(product) {
      const found = cpe.get(productKey(product));
      if (!found) throw new Error(`internal: CPE product ${product.vendor}:${product.product} was not in the lookup request`);
      return found;
    },
    covers(ecosystem) {
      let c = covered.get(ecosystem);
      if (c === undefined) covered.set(ecosystem, (c = source.covers(normalise(ecosystem))));
      return c;
    },
  };
}
