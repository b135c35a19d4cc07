/**
 * package.json: the identity of an installed npm package (in node_modules)
 * or of an application (`/opt/app/package.json`), and for a project root
 * the dependency names a lockfile's dev/direct analysis starts from.
 */
import type Semver from 'semver';
import { lazyRequire } from '../../../util/lazy-require.js';
import { isRecord, licenseList, str } from '../manifest-common.js';

/** Only for versions PLAIN_SEMVER does not already accept. */
const semver = lazyRequire<typeof Semver>('semver');

export interface NpmManifest {
  name: string;
  version: string;
  licenses?: string[];
  private?: boolean;
}

/** The declared dependencies of a project root, by kind (names → ranges). */
export interface NpmRootDeclarations {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  /** The root is a workspace root (npm/yarn `workspaces`). */
  workspaces: boolean;
}

/**
 * The package a package.json describes, or undefined when it has no name or
 * no version (build-tool stubs such as `esm/package.json` with only `type`):
 * those are not packages, and not errors either.
 */
export function npmManifest(json: unknown): NpmManifest | undefined {
  if (!isRecord(json)) return undefined;
  const name = str(json.name);
  const version = str(json.version);
  if (name === undefined || version === undefined) return undefined;
  const out: NpmManifest = { name, version };
  const licenses = licenseList(json.license, json.licenses);
  if (licenses) out.licenses = licenses;
  if (json.private === true) out.private = true;
  return out;
}

export function npmRootDeclarations(json: unknown): NpmRootDeclarations {
  const rec = isRecord(json) ? json : {};
  return {
    dependencies: ranges(rec.dependencies),
    devDependencies: ranges(rec.devDependencies),
    optionalDependencies: ranges(rec.optionalDependencies),
    workspaces: rec.workspaces !== undefined,
  };
}

function ranges(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, r] of Object.entries(v)) if (typeof r === 'string') out[k] = r;
  return out;
}

/** `npm:real-name@1.2.3` (an alias spec) → its parts; undefined for any other spec. */
export function npmAlias(spec: string): { name: string; spec: string } | undefined {
  if (!spec.startsWith('npm:')) return undefined;
  const rest = spec.slice(4);
  const at = rest.indexOf('@', 1);
  if (at < 0) return { name: rest, spec: '' };
  return { name: rest.slice(0, at), spec: rest.slice(at + 1) };
}

/** The package name of an installed path: `a/node_modules/@s/b` → `@s/b`. */
export function nameFromNodeModulesPath(path: string): string | undefined {
  const i = path.lastIndexOf('node_modules/');
  if (i < 0) return undefined;
  const name = path.slice(i + 'node_modules/'.length);
  return name === '' ? undefined : name;
}

/** `@scope/name` → purl namespace and name. */
export function npmPurlParts(name: string): { namespace?: string; name: string } {
  if (name.startsWith('@')) {
    const slash = name.indexOf('/');
    if (slash > 0) return { namespace: name.slice(0, slash), name: name.slice(slash + 1) };
  }
  return { name };
}

/** Plain `1.2.3`, `1.2.3-rc.1+build`: the shape nearly every lockfile entry has, checked without building a SemVer. */
const PLAIN_SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** A version a registry could have published (npm semver, loosely: `v1.2.3`, `=1.2.3` too); not a URL, path or git ref. */
export function isRegistryVersion(version: string): boolean {
  return PLAIN_SEMVER.test(version) || semver().valid(version, { loose: true }) !== null;
}
