/**
 * yarn.lock, both the classic v1 format and Yarn 2+ ("berry", YAML-shaped,
 * with `__metadata`). Read line by line rather than with a YAML parser: v1
 * is not YAML at all, and berry files are regular enough that a line reader
 * is faster and needs no alias limits.
 *
 * Names come from what was installed, not from how it was asked for: a
 * berry entry's `resolution` (`string-width@npm:4.2.3` for the key
 * `string-width-cjs@npm:string-width@^4.2.0`) and a v1 `npm:` alias range.
 * Workspaces, links, portals, local files and patch overlays (which repeat
 * the package they patch) are not registry packages and are kept only as
 * graph nodes.
 */
import type { ParseContext } from '../../../core/scanner.js';
import { unreadable } from '../manifest-common.js';
import { isRegistryVersion, npmAlias } from './package-json.js';

export interface YarnEntry {
  name: string;
  version: string;
  /** Descriptors that resolve to this entry (`foo@^1.0.0`, `foo@npm:^1.0.0`). */
  patterns: string[];
  /** Descriptors of its dependencies. */
  deps?: string[];
  /** Not a registry package (workspace, link, patch, …): only a node of the dependency graph. */
  local?: boolean;
}

export interface YarnLock {
  berry: boolean;
  entries: YarnEntry[];
}

/** Protocols whose packages are the project's own files or overlays of another entry. */
const LOCAL_PROTOCOLS = new Set(['workspace', 'link', 'portal', 'file', 'patch', 'exec']);

interface RawEntry {
  descriptors: string[];
  line: number;
  version?: string;
  resolution?: string;
  linkType?: string;
  deps: string[];
}

export function parseYarnLock(text: string, ctx: ParseContext): YarnLock {
  const lines = text.split(/\r?\n/);
  const raw: RawEntry[] = [];
  let berry = false;
  let current: RawEntry | undefined;
  let inMetadata = false;
  let depsBlock = false;
  let sawV1Header = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '' || line.trimStart().startsWith('#')) {
      if (line.includes('yarn lockfile v1')) sawV1Header = true;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      depsBlock = false;
      current = undefined;
      inMetadata = false;
      if (!body.endsWith(':')) throw unreadable(`yarn.lock line ${i + 1}: expected "<descriptor>:", found ${JSON.stringify(clip(body))}`);
      const key = body.slice(0, -1).trim();
      if (key === '__metadata') {
        berry = true;
        inMetadata = true;
        continue;
      }
      current = { descriptors: splitDescriptors(key), line: i + 1, deps: [] };
      raw.push(current);
      continue;
    }
    if (inMetadata || !current) continue;
    if (indent <= 2) {
      depsBlock = false;
      const field = splitField(body);
      if (!field) continue;
      const [k, v] = field;
      if (v === '' && (k === 'dependencies' || k === 'optionalDependencies')) depsBlock = true;
      else if (k === 'version') current.version = v;
      else if (k === 'resolution') current.resolution = v;
      else if (k === 'linkType') current.linkType = v;
      continue;
    }
    if (depsBlock && indent <= 4) {
      const field = splitField(body);
      if (field && field[1] !== '') current.deps.push(`${field[0]}@${field[1]}`);
    }
  }
  if (raw.length === 0 && !berry && !sawV1Header && text.trim() !== '') {
    throw unreadable('yarn.lock has no entries');
  }
  const entries: YarnEntry[] = [];
  for (const r of raw) {
    const entry = berry ? berryEntry(r, ctx) : classicEntry(r, ctx);
    if (entry) entries.push(entry);
  }
  return { berry, entries };
}

function classicEntry(r: RawEntry, ctx: ParseContext): YarnEntry | undefined {
  const first = splitDescriptor(r.descriptors[0] ?? '');
  if (!first) {
    ctx.warn(`yarn.lock line ${r.line}: cannot read the entry name ${JSON.stringify(clip(r.descriptors.join(', ')))}`);
    return undefined;
  }
  let name = first.name;
  let local = false;
  const alias = npmAlias(first.range);
  if (alias) name = alias.name;
  else if (LOCAL_PROTOCOLS.has(protocolOf(first.range) ?? '')) local = true;
  const version = r.version;
  if (version === undefined) {
    ctx.warn(`yarn.lock line ${r.line}: ${name} has no version`);
    return undefined;
  }
  const entry: YarnEntry = { name, version, patterns: r.descriptors };
  if (r.deps.length) entry.deps = r.deps;
  if (local) entry.local = true;
  else if (!isRegistryVersion(version)) {
    ctx.warn(`yarn.lock line ${r.line}: ${name} version "${version}" is not a registry version; not reported`);
    entry.local = true;
  }
  return entry;
}

function berryEntry(r: RawEntry, ctx: ParseContext): YarnEntry | undefined {
  const resolved = splitDescriptor(r.resolution ?? r.descriptors[0] ?? '');
  if (!resolved) {
    ctx.warn(`yarn.lock line ${r.line}: cannot read the resolution ${JSON.stringify(clip(r.resolution ?? ''))}`);
    return undefined;
  }
  const protocol = protocolOf(resolved.range);
  const version = r.version;
  const patterns = r.descriptors.map(berryDescriptor);
  const deps = r.deps.map(berryDescriptor);
  const entry: YarnEntry = { name: resolved.name, version: version ?? '', patterns };
  if (deps.length) entry.deps = deps;
  if (r.linkType === 'soft' || LOCAL_PROTOCOLS.has(protocol ?? '') || version === undefined) entry.local = true;
  else if (!isRegistryVersion(version)) {
    ctx.warn(`yarn.lock line ${r.line}: ${resolved.name} version "${version}" is not a registry version; not reported`);
    entry.local = true;
  }
  return entry;
}

/** Berry writes `foo@npm:^1.0.0` in keys but `foo: ^1.0.0` under dependencies: the default protocol is npm. */
export function berryDescriptor(descriptor: string): string {
  const d = splitDescriptor(descriptor);
  if (!d || protocolOf(d.range) !== undefined) return descriptor;
  return `${d.name}@npm:${d.range}`;
}

/** `@scope/name@range` → name and range (the `@` of a scope is not the separator). */
export function splitDescriptor(descriptor: string): { name: string; range: string } | undefined {
  const at = descriptor.indexOf('@', 1);
  if (at <= 0) return undefined;
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

/** `npm:^1.0.0` → `npm`; `^1.0.0`, `1.x || 2` → undefined. */
function protocolOf(range: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(range);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

/** A key line's descriptors: v1 quotes each (`"a@^1", "a@^2"`), berry quotes the list (`"a@npm:^1, a@npm:^2"`). */
function splitDescriptors(key: string): string[] {
  return key
    .split(',')
    .map((d) => unquote(d.trim()))
    .filter((d) => d !== '');
}

/** `version "1.2.3"` (v1) or `version: 1.2.3` (berry) → [key, value]. */
function splitField(body: string): [string, string] | undefined {
  let key: string;
  let rest: string;
  if (body.startsWith('"')) {
    const end = closingQuote(body);
    if (end < 0) return undefined;
    key = unquote(body.slice(0, end + 1));
    rest = body.slice(end + 1);
  } else {
    const m = /^[^\s:]+/.exec(body);
    if (!m) return undefined;
    key = m[0];
    rest = body.slice(key.length);
  }
  rest = rest.trimStart();
  if (rest.startsWith(':')) rest = rest.slice(1).trimStart();
  return [key, unquote(rest)];
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      return JSON.parse(s) as string;
    } catch {
      return s.slice(1, -1);
    }
  }
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
  return s;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
