/**
 * .NET: `*.deps.json` (written next to a built application: what it loads at
 * run time) and NuGet's `packages.lock.json`.
 *
 * In deps.json only `libraries` of type `package` are NuGet packages:
 * `project` entries are the application and its project references (the
 * project's own code), `referenceassembly` and `runtimepack` entries belong to
 * the .NET SDK/runtime. In packages.lock.json, `Project` entries are project
 * references; a package is direct when some target framework lists it as
 * `Direct`. NuGet has no development-only dependencies to drop.
 */
import type { Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  asRecord,
  dedupeLocked,
  isNamed,
  isRecord,
  lockedKeys,
  type LockedPackage,
  lockedPackages,
  LOCKFILE_MAX_BYTES,
  type LockfileScannerOptions,
  parseJson,
  str,
  unreadable,
} from './manifest-common.js';
import { collectPerFile } from '../collect-per-file.js';

export function nugetPurl(name: string, version: string): string {
  return purl({ type: 'nuget', name, version });
}

export function parseDepsJson(json: unknown): LockedPackage[] {
  if (!isRecord(json) || !isRecord(json.libraries)) throw unreadable('deps.json has no "libraries" object');
  const out: LockedPackage[] = [];
  for (const [key, raw] of Object.entries(json.libraries)) {
    if (str(asRecord(raw).type)?.toLowerCase() !== 'package') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0 || slash === key.length - 1) continue;
    out.push({ name: key.slice(0, slash), version: key.slice(slash + 1) });
  }
  return dedupeLocked(out);
}

export function parsePackagesLock(json: unknown): LockedPackage[] {
  if (!isRecord(json) || !isRecord(json.dependencies)) throw unreadable('packages.lock.json has no "dependencies" object');
  const out: LockedPackage[] = [];
  for (const [framework, deps] of Object.entries(json.dependencies)) {
    for (const [name, raw] of Object.entries(asRecord(deps))) {
      const info = asRecord(raw);
      const type = str(info.type)?.toLowerCase();
      const version = str(info.resolved);
      if (type === 'project' || version === undefined) continue;
      out.push({ name, version, indirect: type !== 'direct', metadata: { framework } });
    }
  }
  // One package per name@version across frameworks: direct if any framework says so.
  const frameworks = new Map<string, Set<string>>();
  for (const o of out) {
    const key = `${o.name}@${o.version}`;
    const set = frameworks.get(key) ?? new Set<string>();
    set.add(String(o.metadata?.framework));
    frameworks.set(key, set);
  }
  return dedupeLocked(out).map((p) => ({ ...p, metadata: { framework: [...(frameworks.get(`${p.name}@${p.version}`) ?? [])].join(',') } }));
}

export function createDotnetScanner(options: LockfileScannerOptions = {}): Scanner<LockedPackage[]> {
  return {
    id: 'dotnet',
    version: 1,
    kind: 'lang',
    maxBytes: LOCKFILE_MAX_BYTES,
    wants: (path) => path.endsWith('.deps.json') || isNamed(path, 'packages.lock.json'),
    parse(file) {
      if (file.path.endsWith('.deps.json')) return parseDepsJson(parseJson(file, 'deps.json'));
      return parsePackagesLock(parseJson(file, 'packages.lock.json'));
    },
    collect(view, ctx) {
      return collectPerFile(view, ctx, 'dotnet', (file) =>
        lockedPackages(view, file, 'dotnet', file.value, options, (p) => ({ ecosystem: 'NuGet', purl: nugetPurl(p.name, p.version) }), lockedKeys),
      );
    },
  };
}

export const dotnetScanner = createDotnetScanner();
