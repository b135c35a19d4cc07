/**
 * package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (nested
 * `dependencies`), 2 and 3 (flat `packages` keyed by install path).
 *
 * Decisions: entries that are links (`link: true`, workspaces, `file:`) are
 * the project's own code, not registry packages; `dev: true` marks
 * development-only packages (`devOptional` packages can be installed in
 * production, so they are not dev); a package is direct when a project root
 * (the root or a workspace member) declares it and Node's resolution from
 * that root lands on its install path.
 */
import type { ParseContext } from '../../../core/scanner.js';
import { asRecord, dedupeLocked, isRecord, licenseList, type LockedPackage, str, unreadable } from '../manifest-common.js';
import { isRegistryVersion, nameFromNodeModulesPath, npmAlias } from './package-json.js';
import { appendAll } from '../../../util/arrays.js';

export function parsePackageLock(json: unknown, ctx: ParseContext): LockedPackage[] {
  if (!isRecord(json)) throw unreadable('package-lock.json is not a JSON object');
  const version = json.lockfileVersion;
  if (isRecord(json.packages) && (version === undefined || (typeof version === 'number' && version >= 2))) {
    return dedupeLocked(fromPackages(json.packages, ctx));
  }
  if (isRecord(json.dependencies)) return dedupeLocked(fromDependencies(json.dependencies, false, ctx));
  if (isRecord(json.packages)) return dedupeLocked(fromPackages(json.packages, ctx));
  if (typeof version !== 'number') throw unreadable('package-lock.json has no lockfileVersion, packages or dependencies');
  return [];
}

/** Versions 2 and 3: `packages` keyed by install path (`node_modules/a/node_modules/b`). */
function fromPackages(packages: Record<string, unknown>, ctx: ParseContext): LockedPackage[] {
  const direct = directPaths(packages);
  const out: LockedPackage[] = [];
  for (const [path, raw] of Object.entries(packages)) {
    const pathName = nameFromNodeModulesPath(path);
    if (pathName === undefined) continue; // the root or a workspace member's own folder
    if (!isRecord(raw) || raw.link === true) continue;
    const name = str(raw.name) ?? pathName;
    const version = str(raw.version);
    if (version === undefined) continue; // a link target or an optional package not installed on this platform
    if (!isRegistryVersion(version)) {
      ctx.warn(`${path}: version "${version}" is not a registry version; not reported`);
      continue;
    }
    const p: LockedPackage = { name, version, indirect: !direct.has(path) };
    if (raw.dev === true) p.dev = true;
    const licenses = licenseList(raw.license, raw.licenses);
    if (licenses) p.licenses = licenses;
    out.push(p);
  }
  return out;
}

/** Install paths that some project root's declared dependencies resolve to. */
function directPaths(packages: Record<string, unknown>): Set<string> {
  const direct = new Set<string>();
  for (const [path, raw] of Object.entries(packages)) {
    if (path.includes('node_modules/') && path !== '') continue;
    if (!isRecord(raw)) continue;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(asRecord(raw[field]))) {
        const resolved = resolveFrom(path, name, packages);
        if (resolved !== undefined) direct.add(resolved);
      }
    }
  }
  return direct;
}

/** Node's lookup: `<dir>/node_modules/<name>`, then each parent directory's node_modules. */
function resolveFrom(dir: string, name: string, packages: Record<string, unknown>): string | undefined {
  const parts = dir === '' ? [] : dir.split('/');
  for (let i = parts.length; i >= 0; i--) {
    const base = parts.slice(0, i).join('/');
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
  }
  return undefined;
}

/** Version 1: nested `dependencies`; a package under a dev-only parent is dev-only too. */
function fromDependencies(deps: Record<string, unknown>, parentDev: boolean, ctx: ParseContext, depth = 0): LockedPackage[] {
  const out: LockedPackage[] = [];
  // npm nests only as deep as conflicts force; 1000 levels is far beyond any real tree and keeps the stack safe.
  if (depth > 1000) throw unreadable('package-lock.json dependencies are nested more than 1000 levels deep');
  for (const [key, raw] of Object.entries(deps)) {
    if (!isRecord(raw)) continue;
    const dev = parentDev || raw.dev === true;
    const spec = str(raw.version);
    // A stray `node_modules/x` key (seen in hand-edited files) still names package x.
    let name = nameFromNodeModulesPath(key) ?? key;
    let version = spec;
    const alias = spec ? npmAlias(spec) : undefined;
    if (alias) {
      name = alias.name;
      version = alias.spec;
    }
    if (version !== undefined && !version.startsWith('file:')) {
      if (isRegistryVersion(version)) {
        const p: LockedPackage = { name, version };
        if (dev) p.dev = true;
        out.push(p);
      } else {
        ctx.warn(`${key}: version "${version}" is not a registry version; not reported`);
      }
    }
    if (isRecord(raw.dependencies)) appendAll(out, fromDependencies(raw.dependencies, dev, ctx, depth + 1));
  }
  return out;
}
