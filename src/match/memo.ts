/**
 * One scan asks the store the same questions many times: every binary
 * package of a Debian source package looks up the same advisories, and their
 * findings ask for the same CVE facts. This remembers the answers for one
 * matchInventory call (the store itself stays stateless, so a long-lived
 * store never serves stale or unbounded caches).
 */
import type { Advisory, CpeMatchRule, DbMetadata, VulnInfo, VulnStore } from '../core/advisory.js';

function remember<A, R>(fn: (key: string, ...args: A[]) => R): (key: string, ...args: A[]) => R {
  const seen = new Map<string, R>();
  return (key, ...args) => {
    if (seen.has(key)) return seen.get(key) as R;
    const value = fn(key, ...args);
    seen.set(key, value);
    return value;
  };
}

export function memoizeStore(store: VulnStore): VulnStore {
  const advisories = remember((key: string) => {
    const cut = key.indexOf('\u0000');
    return store.advisoriesFor(key.slice(0, cut), key.slice(cut + 1));
  });
  const vulnerability = remember((id: string) => store.vulnerability(id));
  const covers = remember((ecosystem: string) => store.covers(ecosystem));
  const aliasesOf = store.aliasesOf ? remember((id: string) => store.aliasesOf?.(id) ?? []) : undefined;
  const cpeMatches = store.cpeMatches
    ? remember((key: string) => {
        const cut = key.indexOf('\u0000');
        return store.cpeMatches?.(key.slice(0, cut), key.slice(cut + 1)) ?? [];
      })
    : undefined;
  return {
    advisoriesFor: (ecosystem: string, pkg: string): Advisory[] => advisories(`${ecosystem}\u0000${pkg}`),
    vulnerability: (id: string): VulnInfo | undefined => vulnerability(id),
    covers: (ecosystem: string): boolean => covers(ecosystem),
    ...(aliasesOf ? { aliasesOf: (id: string): string[] => aliasesOf(id) } : {}),
    ...(cpeMatches ? { cpeMatches: (vendor: string, product: string): CpeMatchRule[] => cpeMatches(`${vendor}\u0000${product}`) } : {}),
    metadata: (): DbMetadata => store.metadata(),
    close: (): void => store.close(),
  };
}
