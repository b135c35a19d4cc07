/**
 * Turns a parsed yarn.lock into packages, using the project's package.json
 * (same folder) to tell production from development dependencies: yarn.lock
 * itself does not record which is which.
 */
import { dedupeLocked, devOnly, type LockedPackage } from '../manifest-common.js';
import type { NpmRootDeclarations } from './package-json.js';
import { berryDescriptor, type YarnLock } from './yarn-lock.js';

export function yarnPackages(lock: YarnLock, root: NpmRootDeclarations | undefined): LockedPackage[] {
  const idOf = new Map<string, string>();
  const edges = new Map<string, string[]>();
  for (const e of lock.entries) {
    const id = `${e.name}@${e.version}`;
    for (const p of e.patterns) {
      idOf.set(p, id);
      if (lock.berry) idOf.set(berryDescriptor(p), id);
    }
  }
  for (const e of lock.entries) {
    const id = `${e.name}@${e.version}`;
    const next = (e.deps ?? []).map((d) => idOf.get(d)).filter((x): x is string => x !== undefined);
    edges.set(id, [...(edges.get(id) ?? []), ...next]);
  }

  let dev: Set<string> | undefined;
  let direct: Set<string> | undefined;
  if (root) {
    const resolve = (name: string, range: string): string | undefined => {
      const descriptor = `${name}@${range}`;
      return idOf.get(lock.berry ? berryDescriptor(descriptor) : descriptor) ?? idOf.get(descriptor);
    };
    const prodRoots = Object.entries({ ...root.dependencies, ...root.optionalDependencies }).map(([n, r]) => resolve(n, r));
    const devRoots = Object.entries(root.devDependencies).map(([n, r]) => resolve(n, r));
    const resolvedProd = prodRoots.filter((x): x is string => x !== undefined);
    const resolvedDev = devRoots.filter((x): x is string => x !== undefined);
    direct = new Set([...resolvedProd, ...resolvedDev]);
    // Workspace members' own dependencies are not in the root package.json, and a
    // root that does not resolve means the manifest and lockfile disagree: in both
    // cases reachability would call production packages dev, so nothing is marked.
    if (!root.workspaces && resolvedProd.length === prodRoots.length) dev = devOnly(edges, resolvedProd, resolvedDev);
    if (root.workspaces) direct = undefined;
  }

  const out: LockedPackage[] = [];
  for (const e of lock.entries) {
    if (e.local) continue;
    const id = `${e.name}@${e.version}`;
    const p: LockedPackage = { name: e.name, version: e.version };
    if (direct) p.indirect = !direct.has(id);
    if (dev?.has(id)) p.dev = true;
    out.push(p);
  }
  return dedupeLocked(out);
}
