/**
 * pnpm-lock.yaml, lockfile versions 5.x (`/name/1.0.0_peer`), 6.x
 * (`/name@1.0.0(peer)`) and 9.x (`name@1.0.0` in `packages`, the graph in
 * `snapshots`, no `dev` flags).
 *
 * Dev: v5/v6 say it per package (`dev: true`); for v9 a package is dev when
 * only the importers' devDependencies reach it through `snapshots`. Local
 * packages (`link:`, `file:`, workspace) are not registry packages. A file
 * may hold several YAML documents: pnpm puts its own "self-management"
 * dependencies (packageManagerDependencies, configDependencies: the pnpm
 * binary) in a document of their own; those are the tool, not the project,
 * and are not read.
 */
import type * as Yaml from 'yaml';
import type { ParseContext } from '../../../core/scanner.js';
import { NotSimpleYaml, readSimpleYaml } from './pnpm-yaml.js';
import { isRegistryVersion } from './package-json.js';
import { asRecord, dedupeLocked, devOnly, isRecord, type LockedPackage, parserReason, str, unreadable } from '../manifest-common.js';
import { lazyRequire } from '../../../util/lazy-require.js';
import { appendAll } from '../../../util/arrays.js';

/** The full YAML library: only for lockfiles the linear reader does not take. */
const yaml = lazyRequire<typeof Yaml>('yaml');

/** pnpm never writes YAML aliases; a few are tolerated, an alias bomb is refused. */
const MAX_ALIASES = 100;

export function parsePnpmLock(text: string, ctx: ParseContext): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const value of pnpmDocuments(text)) {
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) throw unreadable('pnpm-lock.yaml is not a YAML mapping');
    if (isSelfManagement(value)) continue;
    appendAll(out, fromDocument(value, ctx));
  }
  return dedupeLocked(out);
}

/** The file's documents: pnpm's own output through the fast reader, anything else through the `yaml` library. */
function pnpmDocuments(text: string): unknown[] {
  try {
    return readSimpleYaml(text);
  } catch (e) {
    if (!(e instanceof NotSimpleYaml)) throw e;
  }
  let docs: ReturnType<typeof Yaml.parseAllDocuments>;
  try {
    docs = yaml().parseAllDocuments(text, { uniqueKeys: false });
  } catch (e) {
    throw unreadable(`pnpm-lock.yaml is not valid YAML (${parserReason(e)})`);
  }
  const values: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const err = doc.errors[0];
    if (err) throw unreadable(`pnpm-lock.yaml is not valid YAML (${parserReason(err)})`);
    try {
      values.push(doc.toJS({ maxAliasCount: MAX_ALIASES }));
    } catch (e) {
      throw unreadable(`pnpm-lock.yaml: ${parserReason(e)}`);
    }
  }
  return values;
}

/** A document whose importers declare only pnpm's own tooling. */
function isSelfManagement(doc: Record<string, unknown>): boolean {
  const importers = asRecord(doc.importers);
  const list = Object.values(importers).filter(isRecord);
  if (list.length === 0 || doc.packages === undefined) return false;
  return list.every(
    (imp) =>
      imp.dependencies === undefined &&
      imp.devDependencies === undefined &&
      imp.optionalDependencies === undefined &&
      (imp.packageManagerDependencies !== undefined || imp.configDependencies !== undefined),
  );
}

function lockfileMajor(doc: Record<string, unknown>): number {
  const v = doc.lockfileVersion;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
  if (!Number.isFinite(n)) throw unreadable(`pnpm-lock.yaml has no usable lockfileVersion (${JSON.stringify(v)})`);
  return Math.floor(n);
}

interface Importer {
  prod: Record<string, string>;
  dev: Record<string, string>;
}

/** The root (v5/v6 single-project files) and every workspace importer, with resolved versions. */
function importersOf(doc: Record<string, unknown>): Importer[] {
  const all: Importer[] = [];
  const read = (rec: Record<string, unknown>): Importer => ({
    prod: { ...versions(rec.dependencies), ...versions(rec.optionalDependencies) },
    dev: versions(rec.devDependencies),
  });
  if (doc.dependencies !== undefined || doc.devDependencies !== undefined || doc.optionalDependencies !== undefined) all.push(read(doc));
  for (const imp of Object.values(asRecord(doc.importers))) if (isRecord(imp)) all.push(read(imp));
  return all;
}

/** `name: 1.0.0` (v5) or `name: {specifier, version}` (v6+) → name → version (with peer suffix). */
function versions(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(asRecord(v))) {
    const version = typeof raw === 'string' ? raw : isRecord(raw) ? str(raw.version) : undefined;
    if (version !== undefined) out[name] = version;
  }
  return out;
}

function fromDocument(doc: Record<string, unknown>, ctx: ParseContext): LockedPackage[] {
  const major = lockfileMajor(doc);
  const packages = asRecord(doc.packages);
  const importers = importersOf(doc);
  const direct = new Set<string>();
  for (const imp of importers) {
    for (const [name, version] of [...Object.entries(imp.prod), ...Object.entries(imp.dev)]) {
      const ref = depRef(name, version, major);
      if (ref) direct.add(baseKey(ref));
    }
  }
  const devKeys = major >= 9 && isRecord(doc.snapshots) ? devFromSnapshots(asRecord(doc.snapshots), importers, major) : undefined;

  const out: LockedPackage[] = [];
  for (const [key, raw] of Object.entries(packages)) {
    const info = asRecord(raw);
    const parsed = parseDepPath(key, major);
    const name = str(info.name) ?? parsed?.name;
    const version = parsed?.version ?? str(info.version);
    if (name === undefined || version === undefined) {
      ctx.warn(`${key}: cannot read a package name and version; not reported`);
      continue;
    }
    if (!isRegistryVersion(version)) continue; // link:, file:, git or tarball URL: not a registry version
    const id = `${name}@${version}`;
    const p: LockedPackage = { name, version };
    if (importers.length) p.indirect = !direct.has(id);
    if (devKeys ? devKeys.has(id) : info.dev === true) p.dev = true;
    out.push(p);
  }
  return out;
}

/**
 * A dependency's reference as importers and snapshots write it: a version
 * (`1.0.0`, `1.0.0(peer@2)`, v5 `1.0.0_peer@2`), an alias (`other@1.0.0`) or
 * a local `link:`; returns `name@version` without peer suffixes.
 */
function depRef(name: string, ref: string, major: number): string | undefined {
  if (/^(link|file|workspace):/.test(ref)) return undefined;
  if (ref.startsWith('/')) {
    const p = parseDepPath(ref, Math.min(major, 6));
    return p ? `${p.name}@${p.version}` : undefined;
  }
  const at = ref.indexOf('@', 1);
  if (at > 0 && !/^\d/.test(ref)) return `${ref.slice(0, at)}@${stripPeers(ref.slice(at + 1))}`;
  return `${name}@${stripPeers(ref)}`;
}

/** `name@1.0.0(peer@2)` → `name@1.0.0`. */
function baseKey(id: string): string {
  const at = id.indexOf('@', 1);
  return at < 0 ? id : `${id.slice(0, at)}@${stripPeers(id.slice(at + 1))}`;
}

function stripPeers(version: string): string {
  const i = version.search(/[(_]/);
  return i < 0 ? version : version.slice(0, i);
}

/** Package keys: v5 `/@scope/name/1.0.0_peer`, v6 `/@scope/name@1.0.0(peer)`, v9 `@scope/name@1.0.0`; v5 may start with a registry host. */
export function parseDepPath(key: string, major: number): { name: string; version: string } | undefined {
  let path = key;
  if (major >= 9 && path.startsWith('/')) path = path.slice(1); // v6-style keys in a file labelled 9.0
  if (major < 9) {
    const slash = path.indexOf('/');
    if (slash < 0) return undefined;
    path = path.slice(slash + 1); // "/" or "registry.example.com/"
  }
  if (major < 6) {
    const last = path.lastIndexOf('/');
    if (last <= 0) return undefined;
    return { name: path.slice(0, last), version: stripPeers(path.slice(last + 1)) };
  }
  const peer = path.indexOf('(');
  if (peer >= 0) path = path.slice(0, peer);
  const at = path.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: path.slice(0, at), version: path.slice(at + 1) };
}

/** v9: package ids reachable only from devDependencies through the snapshots graph. */
function devFromSnapshots(snapshots: Record<string, unknown>, importers: Importer[], major: number): Set<string> {
  const edges = new Map<string, string[]>();
  for (const [key, raw] of Object.entries(snapshots)) {
    const info = asRecord(raw);
    const next: string[] = [];
    for (const field of ['dependencies', 'optionalDependencies']) {
      for (const [name, ref] of Object.entries(asRecord(info[field]))) {
        if (typeof ref !== 'string') continue;
        const id = depRef(name, ref, major);
        if (id) next.push(id);
      }
    }
    const id = baseKey(key);
    edges.set(id, [...(edges.get(id) ?? []), ...next]);
  }
  const prod: string[] = [];
  const dev: string[] = [];
  for (const imp of importers) {
    for (const [name, ref] of Object.entries(imp.prod)) {
      const id = depRef(name, ref, major);
      if (id) prod.push(id);
    }
    for (const [name, ref] of Object.entries(imp.dev)) {
      const id = depRef(name, ref, major);
      if (id) dev.push(id);
    }
  }
  return devOnly(edges, prod, dev);
}
