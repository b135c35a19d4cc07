/**
 * One scan asks the store the same questions many times: every binary
 * package of a Debian source package looks up the same advisories, and their
 * findings ask for the same CVE facts. This remembers the answers for one
 * matchInventory call (the store itself stays stateless, so a long-lived
 * store never serves stale or unbounded caches).
 */
import type { Advisory, CpeMatchRule, DbMetadata, VulnInfo, VulnStore } from '../core/advisory.js';

/** `fn` with its answers remembered, keyed by its (string) arguments. */
function remember<Args extends string[], R>(fn: (...args: Args) => R): (...args: Args) => R {
  const seen = new Map<string, R>();
  return (...args) => {
    const key = args.join('\u0000');
    if (seen.has(key)) return seen.get(key) as R;
    const value = fn(...args);
    seen.set(key, value);
    return value;
  };
}

export function memoizeStore(store: VulnStore): VulnStore {
  const aliasesOf = store.aliasesOf?.bind(store);
  const cpeMatches = store.cpeMatches?.bind(store);
  return {
    advisoriesFor: remember((ecosystem: string, pkg: string): Advisory[] => store.advisoriesFor(ecosystem, pkg)),
    vulnerability: remember((id: string): VulnInfo | undefined => store.vulnerability(id)),
    covers: remember((ecosystem: string): boolean => store.covers(ecosystem)),
    ...(aliasesOf ? { aliasesOf: remember((id: string): string[] => aliasesOf(id)) } : {}),
    ...(cpeMatches ? { cpeMatches: remember((vendor: string, product: string): CpeMatchRule[] => cpeMatches(vendor, product)) } : {}),
    metadata: (): DbMetadata => store.metadata(),
    close: (): void => store.close(),
  };
}
