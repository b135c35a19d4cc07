/**
 * What the language-manifest scanners (npm, Python, Ruby, PHP, .NET, Cargo)
 * share: decoding a file's bytes, reading JSON with an error that says what
 * is wrong, the shape every lockfile parser returns, and turning it into
 * Packages with provenance.
 */
import { parse as parseToml } from 'smol-toml';
import { StrataError } from '../../core/errors.js';
import type { Package } from '../../core/package.js';
import type { LayerRef, ParsedFile, ScannedFile, ScanView } from '../../core/scanner.js';
import { Provenance } from '../os/common.js';

/** Manifests and installed-package metadata (package.json, METADATA, gemspec): real ones are kilobytes. */
export const MANIFEST_MAX_BYTES = 8 * 1024 * 1024;
/**
 * Lockfiles of large monorepos reach tens of MiB (a 30 000-package
 * package-lock.json is ~40 MiB); parsing one costs about 5× its size in heap,
 * so 64 MiB keeps a pathological file under ~0.5 GiB.
 */
export const LOCKFILE_MAX_BYTES = 64 * 1024 * 1024;

export type Metadata = Record<string, string | number | boolean>;

/** One package as a lockfile (or installed-package index) lists it; plain JSON for the layer cache. */
export interface LockedPackage {
  name: string;
  version: string;
  /** Needed only to develop the project (npm devDependencies, Poetry dev group, composer packages-dev). */
  dev?: boolean;
  /** false: the project declares it; true: only something else needs it; absent: the file does not say. */
  indirect?: boolean;
  licenses?: string[];
  /** purl qualifiers (gem `platform`). */
  qualifiers?: Record<string, string>;
  metadata?: Metadata;
}

export interface LockfileScannerOptions {
  /** Report development-only dependencies too (marked `metadata.dev`). Default false, as Trivy. */
  includeDev?: boolean;
}

/** UTF-8 text without a byte-order mark (.NET and Windows tools write one). */
export function fileText(file: ScannedFile): string {
  const text = file.content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The error a parser throws for a file it cannot read. The analyzer records
 * its message as the skip reason next to the file's path and layer, so the
 * message names the kind of file and what is wrong, not where it is.
 */
export function unreadable(detail: string): StrataError {
  return new StrataError('corrupt', detail);
}

/** A parser's error as a reason: a stack overflow on absurd nesting becomes a plain statement. */
export function parserReason(e: unknown): string {
  if (e instanceof RangeError || (e instanceof Error && /Maximum call stack/.test(e.message))) return 'nested too deeply to read';
  return e instanceof Error ? (e.message.split('\n')[0] as string) : String(e);
}

/** JSON.parse with a message that names the kind of file; the analyzer adds path and layer. */
export function parseJson(file: ScannedFile, what: string): unknown {
  const text = fileText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw unreadable(`${what} is not valid JSON (${text.trim() === '' ? 'empty file' : parserReason(e)})`);
  }
}

/** A TOML document (Cargo.lock, poetry.lock, uv.lock, pdm.lock) with an error that names the kind of file. */
export function toml(text: string, what: string): Record<string, unknown> {
  try {
    return parseToml(text);
  } catch (e) {
    throw unreadable(`${what} is not valid TOML (${parserReason(e)})`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** A non-empty trimmed string, or undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** The file name after the last `/`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The directory part (`''` for a top-level file). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** True when `path` is `name` or ends with `/name` (a cheap basename test for `wants`). */
export function isNamed(path: string, name: string): boolean {
  return path.endsWith(name) && (path.length === name.length || path.charCodeAt(path.length - name.length - 1) === 0x2f);
}

/** True when some directory of `path` is named `dir` (`a/node_modules/b`, `node_modules/b`). */
export function underDir(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`) || path.includes(`/${dir}/`);
}

/**
 * Merges repeated entries of one name@version within a file: it is
 * development-only if every copy is, indirect if every copy is.
 */
export function dedupeLocked(list: readonly LockedPackage[]): LockedPackage[] {
  const byKey = new Map<string, LockedPackage>();
  for (const p of list) {
    const key = p.qualifiers ? `${p.name}\u0000${p.version}\u0000${JSON.stringify(p.qualifiers)}` : `${p.name}\u0000${p.version}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...p });
      continue;
    }
    if (!(seen.dev && p.dev)) delete seen.dev;
    if (seen.indirect !== undefined || p.indirect !== undefined) {
      // Unknown in either copy stays unknown unless the other says direct.
      if (seen.indirect === false || p.indirect === false) seen.indirect = false;
      else if (seen.indirect === undefined || p.indirect === undefined) delete seen.indirect;
    }
    if (!seen.licenses && p.licenses) seen.licenses = p.licenses;
  }
  return [...byKey.values()];
}

export interface PackageIdentity {
  name: string;
  version: string;
  ecosystem: string;
  purl: string;
  licenses?: string[];
  metadata?: Metadata;
}

/** A language Package found in `file` by `scanner`; `layer` defaults to the file's. */
export function langPackage(file: ParsedFile<unknown>, scanner: string, id: PackageIdentity, layer: LayerRef = file.layer): Package {
  const pkg: Package = {
    name: id.name,
    version: id.version,
    ecosystem: id.ecosystem,
    kind: 'lang',
    purl: id.purl,
    layer: layer.diffId,
    paths: [file.path],
    foundBy: scanner,
  };
  if (id.licenses && id.licenses.length) pkg.licenses = id.licenses;
  if (id.metadata && Object.keys(id.metadata).length) pkg.metadata = id.metadata;
  return pkg;
}

export function packageKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

/** The keys of a lockfile's entries, for {@link introducedIn}. */
export function lockedKeys(entries: readonly LockedPackage[]): string[] {
  return entries.map((p) => packageKey(p.name, p.version));
}

/**
 * The layer that brought a package found in `file`: the oldest of the
 * unbroken run of versions of that path (newest first) that all list it. A
 * later layer that only rewrites the file (`chown -R`, a lockfile update
 * that kept this package) does not move the package.
 */
export function introducedIn<T>(view: ScanView<T>, file: ParsedFile<T>, keysOf: (value: T) => Iterable<string>): (name: string, version: string) => LayerRef {
  const history = view.history(file.path);
  if (history.length <= 1) return () => file.layer;
  const provenance = new Provenance(history, keysOf);
  return (name, version) => provenance.layerOf(packageKey(name, version), file.layer);
}

/** Packages from one lockfile's entries, dropping development-only ones unless asked. */
export function lockedPackages<T>(
  view: ScanView<T>,
  file: ParsedFile<T>,
  scanner: string,
  entries: readonly LockedPackage[],
  options: LockfileScannerOptions,
  identify: (p: LockedPackage) => { ecosystem: string; purl: string },
  keysOf: (value: T) => Iterable<string>,
): Package[] {
  const layerOf = introducedIn(view, file, keysOf);
  const out: Package[] = [];
  for (const p of entries) {
    if (p.dev && !options.includeDev) continue;
    const metadata: Metadata = { ...p.metadata };
    if (p.dev) metadata.dev = true;
    if (p.indirect !== undefined) metadata.indirect = p.indirect;
    out.push(langPackage(file, scanner, { name: p.name, version: p.version, ...identify(p), licenses: p.licenses, metadata }, layerOf(p.name, p.version)));
  }
  return out;
}

/**
 * Development-only packages of a dependency graph: reachable from the
 * development roots and not from the production roots. Anything reachable
 * from neither stays unmarked: Strata only calls a package dev when it is
 * sure, so a missed edge never hides a production package.
 */
export function devOnly(
  edges: ReadonlyMap<string, readonly string[]>,
  prodRoots: Iterable<string>,
  devRoots: Iterable<string>,
): Set<string> {
  const prod = reach(edges, prodRoots);
  const dev = reach(edges, devRoots);
  for (const k of prod) dev.delete(k);
  return dev;
}

function reach(edges: ReadonlyMap<string, readonly string[]>, roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const k = stack.pop() as string;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const next of edges.get(k) ?? []) if (!seen.has(next)) stack.push(next);
  }
  return seen;
}

/** License strings as package managers write them: `MIT`, `{type: "MIT"}`, arrays of either. */
export function licenseList(...values: unknown[]): string[] | undefined {
  const out: string[] = [];
  // Real files nest at most an array of objects; deeper structures are not licences (and must not exhaust the stack).
  const add = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t && !out.includes(t)) out.push(t);
    } else if (depth >= 3) {
      return;
    } else if (Array.isArray(v)) {
      for (const x of v) add(x, depth + 1);
    } else if (isRecord(v)) {
      add(v.type ?? v.name, depth + 1);
    }
  };
  for (const v of values) add(v, 0);
  return out.length ? out : undefined;
}
