/**
 * Python lockfiles: poetry.lock, Pipfile.lock, uv.lock and pdm.lock.
 *
 * Dev: Poetry marks it (`category = "dev"` before 1.2, `groups` without
 * `main` after); Pipfile.lock keeps dev packages under `develop`; uv.lock
 * records the project's dev groups, so dev is what only those reach. pdm.lock
 * names groups but not which are optional-dependencies and which are dev
 * (pyproject.toml says), so nothing there is marked dev. The project itself
 * and other local sources (`editable`, `virtual`, `directory` sources) are
 * not registry packages.
 */
import { asRecord, dedupeLocked, devOnly, isRecord, type LockedPackage, str, toml, unreadable } from '../manifest-common.js';

function packageTables(doc: Record<string, unknown>, what: string): Record<string, unknown>[] {
  const list = doc.package;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw unreadable(`${what}: "package" is not an array of tables`);
  return list.filter(isRecord);
}

export function parsePoetryLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const p of packageTables(toml(text, 'poetry.lock'), 'poetry.lock')) {
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version) continue;
    const sourceType = str(asRecord(p.source).type);
    if (sourceType === 'directory' || sourceType === 'file') continue; // the project's own code
    const entry: LockedPackage = { name, version };
    const groups = Array.isArray(p.groups) ? p.groups.filter((g): g is string => typeof g === 'string') : undefined;
    if (p.category === 'dev' || (groups && groups.length > 0 && !groups.includes('main'))) entry.dev = true;
    out.push(entry);
  }
  return dedupeLocked(out);
}

export function parsePipfileLock(json: unknown): LockedPackage[] {
  if (!isRecord(json)) throw unreadable('Pipfile.lock is not a JSON object');
  if (json.default === undefined && json.develop === undefined) throw unreadable('Pipfile.lock has neither "default" nor "develop"');
  const out: LockedPackage[] = [];
  for (const [section, dev] of [
    ['default', false],
    ['develop', true],
  ] as const) {
    for (const [name, raw] of Object.entries(asRecord(json[section]))) {
      // Only pinned (`==1.2.3`) entries name a release; editable/path/VCS entries do not.
      const spec = str(asRecord(raw).version);
      if (!spec?.startsWith('==')) continue;
      const entry: LockedPackage = { name, version: spec.slice(2).trim() };
      if (dev) entry.dev = true;
      out.push(entry);
    }
  }
  return dedupeLocked(out);
}

const LOCAL_UV_SOURCES = ['editable', 'virtual', 'directory', 'path'];

export function parseUvLock(text: string): LockedPackage[] {
  const packages = packageTables(toml(text, 'uv.lock'), 'uv.lock');
  const edges = new Map<string, string[]>();
  const prodRoots: string[] = [];
  const devRoots: string[] = [];
  const depNames = (v: unknown): string[] =>
    (Array.isArray(v) ? v : [])
      .map((d) => str(asRecord(d).name)?.toLowerCase())
      .filter((x): x is string => x !== undefined);
  const local = new Set<string>();
  for (const p of packages) {
    const name = str(p.name)?.toLowerCase();
    if (!name) continue;
    const next = [...depNames(p.dependencies)];
    for (const extra of Object.values(asRecord(p['optional-dependencies']))) next.push(...depNames(extra));
    edges.set(name, [...(edges.get(name) ?? []), ...next]);
    const source = asRecord(p.source);
    if (LOCAL_UV_SOURCES.some((k) => source[k] !== undefined)) {
      local.add(name);
      prodRoots.push(name);
      for (const group of Object.values(asRecord(p['dev-dependencies']))) devRoots.push(...depNames(group));
    }
  }
  const dev = devOnly(edges, prodRoots, devRoots);
  const out: LockedPackage[] = [];
  for (const p of packages) {
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version || local.has(name.toLowerCase())) continue;
    const entry: LockedPackage = { name, version };
    if (dev.has(name.toLowerCase())) entry.dev = true;
    out.push(entry);
  }
  return dedupeLocked(out);
}

export function parsePdmLock(text: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const p of packageTables(toml(text, 'pdm.lock'), 'pdm.lock')) {
    const name = str(p.name);
    const version = str(p.version);
    if (!name || !version || p.editable === true || str(p.path) !== undefined) continue;
    out.push({ name, version });
  }
  return dedupeLocked(out);
}
