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

function packageKey(key: PackageKey): string {
  const ecosystem = normalizeEcosystem(key.ecosystem);
  return `${ecosystem}\u0000${normalizePackageName(ecosystem, key.name)}`;
}

function productKey(p: CpeProduct): string {
  return `${p.vendor.toLowerCase()}\u0000${p.product.toLowerCase()}`;
}

export function snapshotOf(request: LookupRequest, source: SnapshotSource): AdvisorySnapshot {
  const advisories = new Map<string, readonly StoredAdvisory[]>();
  for (const key of request.packages) {
    const k = packageKey(key);
    if (advisories.has(k)) continue;
    const [ecosystem = '', name = ''] = k.split('\u0000');
    advisories.set(k, source.advisories(ecosystem, name));
  }
  const cpe = new Map<string, readonly CpeMatchRule[]>();
  for (const p of request.cpeProducts ?? []) {
    const k = productKey(p);
    if (!cpe.has(k)) cpe.set(k, source.cpeMatches(p.vendor.toLowerCase(), p.product.toLowerCase()));
  }
  const covered = new Map<string, boolean>();
  return {
    advisoriesFor(key) {
      const found = advisories.get(packageKey(key));
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
      if (c === undefined) covered.set(ecosystem, (c = source.covers(normalizeEcosystem(ecosystem))));
      return c;
    },
  };
}
