/**
 * RPM packages from the rpm database in any of its three forms — SQLite
 * `rpmdb.sqlite`, Berkeley DB `Packages`, NDB `Packages.db` — under
 * `/var/lib/rpm`, `/usr/lib/sysimage/rpm` or `/usr/share/rpm` (rpm-ostree),
 * and from CBL-Mariner's distroless `container-manifest-2`. The databases
 * are parsed directly (no librpm), each header blob decoded by header.ts.
 */
import { StrataError } from '../../../core/errors.js';
import type { Package } from '../../../core/package.js';
import type { CollectContext, CollectOutput, ParsedFile, ParseContext, ScannedFile, Scanner, ScanView } from '../../../core/scanner.js';
import { osPurl } from '../../purl.js';
import { osTarget, Provenance } from '../common.js';
import { isBdbHash, readBdbHashValues } from './bdb.js';
import { decodeRpmHeader, parseSourceRpm, type RpmRecord } from './header.js';
import { parseRpmManifest } from './manifest.js';
import { isNdb, readNdbBlobs } from './ndb.js';
import { isSqlite, readSqliteBlobs } from './sqlite.js';

export interface RpmFile {
  packages: RpmRecord[];
}

/** Database directories in the order rpm's `%_dbpath` has used them. */
const DB_DIRS = ['var/lib/rpm', 'usr/lib/sysimage/rpm', 'usr/share/rpm'];
/** In one directory, the backend rpm ≥ 4.16 prefers first; older files may linger beside it. */
const DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];
const MANIFEST = 'var/lib/rpmmanifest/container-manifest-2';
const WANTED = new Set([...DB_DIRS.flatMap((d) => DB_FILES.map((f) => `${d}/${f}`)), MANIFEST]);
/** Big images' Berkeley DB `Packages` files reach a few hundred MB. */
const MAX_BYTES = 512 * 1024 * 1024;
/** Per-file cap on warnings about single headers, so a shredded DB does not flood the report. */
const MAX_WARNINGS = 10;
/** The BDB hash also stores rpm's 4-byte "next instance" counter: not a header. */
const MIN_HEADER_BYTES = 8 + 16;

function databaseBlobs(file: ScannedFile): { blobs: Buffer[]; problems: string[] } {
  const buf = file.content;
  if (isSqlite(buf)) return { blobs: readSqliteBlobs(buf), problems: [] };
  if (isNdb(buf)) {
    const r = readNdbBlobs(buf);
    return { blobs: r.values, problems: r.problems };
  }
  if (isBdbHash(buf)) {
    const r = readBdbHashValues(buf);
    return { blobs: r.values, problems: r.problems };
  }
  throw new StrataError('unsupported', 'not an rpm database (neither SQLite, NDB nor Berkeley DB hash)');
}

/**
 * Errors carry no location: the analysis records the file and layer with
 * the reason, so the report names them once.
 */
function parse(file: ScannedFile, ctx: ParseContext): RpmFile {
  let warnings = 0;
  const warn = (reason: string) => {
    if (++warnings <= MAX_WARNINGS) ctx.warn(reason);
  };
  if (file.path === MANIFEST) return { packages: parseRpmManifest(file.content.toString('utf8'), warn) };

  let read: { blobs: Buffer[]; problems: string[] };
  try {
    read = databaseBlobs(file);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new StrataError('corrupt', e instanceof Error ? e.message : String(e), {}, { cause: e });
  }
  for (const p of read.problems) warn(p);
  const packages: RpmRecord[] = [];
  let failed = 0;
  for (let i = 0; i < read.blobs.length; i++) {
    const blob = read.blobs[i] as Buffer;
    if (blob.length < MIN_HEADER_BYTES) continue;
    try {
      const record = decodeRpmHeader(blob, { warn: (reason) => warn(`header ${i + 1}: ${reason}`) });
      // Imported signing keys are stored as pseudo-packages; they are not software.
      if (record.name === 'gpg-pubkey') continue;
      packages.push(record);
    } catch (e) {
      failed++;
      warn(`header ${i + 1}: ${e instanceof Error ? e.message : String(e)}; skipped`);
    }
  }
  if (warnings > MAX_WARNINGS) ctx.warn(`${warnings - MAX_WARNINGS} more problems not shown`);
  if (packages.length === 0 && (failed > 0 || read.problems.length > 0)) {
    throw new StrataError('corrupt', `no readable package header (${failed} unreadable, ${read.problems.length} damaged entries)`);
  }
  return { packages };
}

export function rpmEvr(r: RpmRecord): string {
  const vr = r.release ? `${r.version}-${r.release}` : r.version;
  return r.epoch !== undefined ? `${r.epoch}:${vr}` : vr;
}

const recordKey = (r: RpmRecord) => `${r.name}\u0000${rpmEvr(r)}\u0000${r.arch ?? ''}`;

/** The source package advisories are written against: SOURCERPM without `-version-release.src.rpm`. */
function sourceOf(r: RpmRecord): { name: string; version: string } {
  const src = r.sourceRpm ? parseSourceRpm(r.sourceRpm) : undefined;
  if (!src) return { name: r.name, version: rpmEvr(r) };
  // A source package shares its binaries' epoch (one spec file); SOURCERPM does not spell it.
  const vr = `${src.version}-${src.release}`;
  return { name: src.name, version: r.epoch !== undefined ? `${r.epoch}:${vr}` : vr };
}

function metadataOf(r: RpmRecord): Record<string, string | number> {
  const m: Record<string, string | number> = { release: r.release };
  if (r.epoch !== undefined) m.epoch = r.epoch;
  if (r.sourceRpm) m.sourceRpm = r.sourceRpm;
  if (r.vendor) m.vendor = r.vendor;
  if (r.modularityLabel) m.modularityLabel = r.modularityLabel;
  if (r.size !== undefined) m.size = r.size;
  return m;
}

/** The database rpm would read: the first directory (after symlinks) holding one, newest backend first. */
function chooseDatabase(view: ScanView<RpmFile>, byPath: Map<string, ParsedFile<RpmFile>>): ParsedFile<RpmFile> | undefined {
  for (const dir of DB_DIRS) {
    const real = view.resolve(dir);
    if (real === undefined) continue;
    for (const name of DB_FILES) {
      const found = byPath.get(`${real}/${name}`);
      if (found) return found;
    }
  }
  return undefined;
}

function collect(view: ScanView<RpmFile>, ctx: CollectContext): CollectOutput {
  const target = osTarget(ctx.distro, 'rpm');
  const byPath = new Map<string, ParsedFile<RpmFile>>();
  for (const f of view.files()) byPath.set(f.path, f);
  const db = chooseDatabase(view, byPath) ?? byPath.get(MANIFEST);
  if (!db) return { packages: [] };

  const provenance = new Provenance(view.history(db.path), (v: RpmFile) => v.packages.map(recordKey));
  const packages: Package[] = [];
  const seen = new Set<string>();
  for (const r of db.value.packages) {
    const key = recordKey(r);
    if (seen.has(key)) continue;
    seen.add(key);
    const version = rpmEvr(r);
    const source = sourceOf(r);
    const pkg: Package = {
      name: r.name,
      version,
      ecosystem: target.ecosystem,
      kind: 'os',
      purl: osPurl(target.distro, { type: 'rpm', name: r.name, version, arch: r.arch, epoch: r.epoch, upstream: source.name }),
      source,
      layer: provenance.layerOf(key, db.layer).diffId,
      paths: [db.path],
      foundBy: 'rpm',
      metadata: metadataOf(r),
    };
    if (r.arch) pkg.arch = r.arch;
    if (r.license) pkg.licenses = [r.license];
    if (r.files) pkg.files = r.files;
    packages.push(pkg);
  }
  return { packages };
}

export const rpmScanner: Scanner<RpmFile> = {
  id: 'rpm',
  version: 2,
  kind: 'os',
  maxBytes: MAX_BYTES,
  databases: [...WANTED].filter((p) => p !== MANIFEST),
  wants: (path) => WANTED.has(path),
  parse,
  collect,
};
