/**
 * Rust: Cargo.lock (all formats: v1 with `[metadata]` checksums, v2, v3, v4).
 * Crates without a `source` are workspace members and path dependencies —
 * the project's own code, not crates.io packages — and are left out; git
 * sources are kept (a git checkout of a published crate still carries its
 * advisories) and marked. Cargo.lock files inside cargo's download cache
 * (`.cargo/registry`, `.cargo/git`) belong to crate sources, not to anything
 * built in the image, and are not read.
 */
import type { Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  dedupeLocked,
  fileText,
  isNamed,
  isRecord,
  lockedKeys,
  type LockedPackage,
  lockedPackages,
  LOCKFILE_MAX_BYTES,
  str,
  toml,
  unreadable,
} from './manifest-common.js';
import { collectPerFile } from '../collect-per-file.js';

export function cargoPurl(name: string, version: string): string {
  return purl({ type: 'cargo', name, version });
}

export function parseCargoLock(text: string): LockedPackage[] {
  const doc = toml(text, 'Cargo.lock');
  const list = doc.package;
  if (list === undefined) {
    if (doc.version === undefined && doc.metadata === undefined && text.trim() !== '') throw unreadable('Cargo.lock has no [[package]] tables');
    return [];
  }
  if (!Array.isArray(list)) throw unreadable('Cargo.lock: "package" is not an array of tables');
  const out: LockedPackage[] = [];
  for (const p of list) {
    if (!isRecord(p)) continue;
    const name = str(p.name);
    const version = str(p.version);
    const source = str(p.source);
    if (!name || !version || !source) continue;
    const entry: LockedPackage = { name, version };
    if (source.startsWith('git+')) entry.metadata = { source: 'git' };
    out.push(entry);
  }
  return dedupeLocked(out);
}

const IN_CARGO_CACHE = /(^|\/)\.cargo\/(registry|git)\//;

export const cargoLockScanner: Scanner<LockedPackage[]> = {
  id: 'cargo-lock',
  version: 1,
  kind: 'lang',
  maxBytes: LOCKFILE_MAX_BYTES,
  wants: (path) => isNamed(path, 'Cargo.lock') && !IN_CARGO_CACHE.test(path),
  parse: (file) => parseCargoLock(fileText(file)),
  collect(view, ctx) {
    return collectPerFile(view, ctx, 'cargo-lock', (file) =>
      lockedPackages(view, file, 'cargo-lock', file.value, {}, (p) => ({ ecosystem: 'crates.io', purl: cargoPurl(p.name, p.version) }), lockedKeys),
    );
  },
};
