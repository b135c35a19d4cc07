/**
 * npm packages: `npm` reads every package.json (installed packages in
 * node_modules and applications such as /opt/app/package.json); `npm-lock`
 * reads package-lock.json / npm-shrinkwrap.json (v1–v3), yarn.lock (v1 and
 * berry) and pnpm-lock.yaml (v5, v6, v9). Two scanners because their size
 * caps differ: a manifest over 8 MiB is not a real manifest, a lockfile can be
 * tens of MiB.
 *
 * The same package found in node_modules and in a lockfile has one purl and
 * is merged by the assembler (paths combined). Lockfiles inside node_modules
 * belong to a dependency's own development and are not read.
 */
import type { ParseContext, ScannedFile, Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  dirName,
  fileText,
  introducedIn,
  isNamed,
  langPackage,
  LOCKFILE_MAX_BYTES,
  type LockedPackage,
  lockedKeys,
  lockedPackages,
  type LockfileScannerOptions,
  MANIFEST_MAX_BYTES,
  packageKey,
  parseJson,
  underDir,
} from './manifest-common.js';
import { type NpmManifest, npmManifest, npmPurlParts, type NpmRootDeclarations, npmRootDeclarations } from './npm/package-json.js';
import { parsePackageLock } from './npm/package-lock.js';
import { parsePnpmLock } from './npm/pnpm-lock.js';
import { yarnPackages } from './npm/yarn-graph.js';
import { parseYarnLock, type YarnLock } from './npm/yarn-lock.js';
import { collectPerFile } from '../collect-per-file.js';

export function npmPurl(name: string, version: string): string {
  return purl({ type: 'npm', ...npmPurlParts(name), version });
}

export const npmScanner: Scanner<NpmManifest> = {
  id: 'npm',
  version: 1,
  kind: 'lang',
  maxBytes: MANIFEST_MAX_BYTES,
  wants: (path) => isNamed(path, 'package.json'),
  parse: (file) => npmManifest(parseJson(file, 'package.json')),
  collect(view, ctx) {
    return collectPerFile(view, ctx, 'npm', (file) => {
      const m = file.value;
      const layer = introducedIn(view, file, (v) => [packageKey(v.name, v.version)])(m.name, m.version);
      return [
        langPackage(
          file,
          'npm',
          {
            name: m.name,
            version: m.version,
            ecosystem: 'npm',
            purl: npmPurl(m.name, m.version),
            licenses: m.licenses,
            metadata: m.private ? { private: true } : undefined,
          },
          layer,
        ),
      ];
    });
  },
};

/** What npm-lock keeps of each file it reads. */
export type NpmLockFile =
  | { kind: 'lock'; packages: LockedPackage[] }
  | { kind: 'yarn'; lock: YarnLock }
  /** A project's package.json: the roots yarn.lock's dev analysis starts from. */
  | { kind: 'root'; declarations: NpmRootDeclarations };

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'];

export function createNpmLockScanner(options: LockfileScannerOptions = {}): Scanner<NpmLockFile> {
  return {
    id: 'npm-lock',
    version: 1,
    kind: 'lang',
    maxBytes: LOCKFILE_MAX_BYTES,
    wants(path) {
      let named = isNamed(path, 'package.json');
      for (let i = 0; !named && i < LOCKFILES.length; i++) named = isNamed(path, LOCKFILES[i] as string);
      return named && !underDir(path, 'node_modules');
    },
    parse: (file, ctx) => parseNpmLockFile(file, ctx),
    collect(view, ctx) {
      const roots = new Map<string, NpmRootDeclarations>();
      for (const f of view.files()) if (f.value.kind === 'root') roots.set(dirName(f.path), f.value.declarations);
      return collectPerFile(view, ctx, 'npm-lock', (f) => {
        const v = f.value;
        if (v.kind === 'root') return [];
        const entries = v.kind === 'yarn' ? yarnPackages(v.lock, roots.get(dirName(f.path))) : v.packages;
        return lockedPackages(view, f, 'npm-lock', entries, options, (p) => ({ ecosystem: 'npm', purl: npmPurl(p.name, p.version) }), lockFileKeys);
      });
    },
  };
}

export const npmLockScanner = createNpmLockScanner();

function lockFileKeys(v: NpmLockFile): string[] {
  if (v.kind === 'root') return [];
  if (v.kind === 'lock') return lockedKeys(v.packages);
  return v.lock.entries.filter((e) => !e.local).map((e) => packageKey(e.name, e.version));
}

function parseNpmLockFile(file: ScannedFile, ctx: ParseContext): NpmLockFile | undefined {
  const path = file.path;
  if (isNamed(path, 'package.json')) {
    // The npm scanner reports an unreadable package.json; here it is only context.
    let json: unknown;
    try {
      json = parseJson(file, 'package.json');
    } catch {
      return undefined;
    }
    const declarations = npmRootDeclarations(json);
    const declares =
      declarations.workspaces ||
      Object.keys(declarations.dependencies).length + Object.keys(declarations.devDependencies).length + Object.keys(declarations.optionalDependencies).length > 0;
    return declares ? { kind: 'root', declarations } : undefined;
  }
  if (isNamed(path, 'yarn.lock')) return { kind: 'yarn', lock: parseYarnLock(fileText(file), ctx) };
  if (isNamed(path, 'pnpm-lock.yaml')) return { kind: 'lock', packages: parsePnpmLock(fileText(file), ctx) };
  const what = isNamed(path, 'npm-shrinkwrap.json') ? 'npm-shrinkwrap.json' : 'package-lock.json';
  return { kind: 'lock', packages: parsePackageLock(parseJson(file, what), ctx) };
}
