/**
 * Alpine packages (apk): `lib/apk/db/installed`, one stanza per package of
 * `X:value` lines (https://wiki.alpinelinux.org/wiki/Apk_spec): P name,
 * V version, A arch, o origin (the source package advisories name), c aports
 * commit, L licence, F directory / R file in it (owned files).
 */
import type { Package } from '../../core/package.js';
import type { CollectContext, CollectOutput, ParsedFile, ParseContext, ScannedFile, Scanner, ScanView } from '../../core/scanner.js';
import { osPurl } from '../purl.js';
import { osTarget, Provenance } from './common.js';

export interface ApkRecord {
  name: string;
  version: string;
  arch?: string;
  origin?: string;
  commit?: string;
  license?: string;
  files?: string[];
}

export interface ApkFile {
  packages: ApkRecord[];
}

/** apk-tools 2 keeps its database under /lib; apk-tools 3 under /usr/lib. */
const DB_PATHS = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'];
/** A base image's DB is ~50 KB, a big one a few MB. */
const MAX_BYTES = 64 * 1024 * 1024;

interface Stanza {
  line: number;
  name?: string;
  version?: string;
  arch?: string;
  origin?: string;
  commit?: string;
  license?: string;
  files: string[];
  dir: string;
  garbled?: number;
  fields: number;
}

function describe(s: Stanza): string {
  return s.name ? `package "${s.name}" at line ${s.line}` : `stanza at line ${s.line}`;
}

function finishStanza(s: Stanza, warn: (r: string) => void): ApkRecord | undefined {
  if (s.garbled !== undefined) {
    warn(`${describe(s)}: malformed line ${s.garbled}; stanza skipped`);
    return undefined;
  }
  if (!s.name || !s.version) {
    if (s.fields > 0) warn(`${describe(s)}: no ${s.name ? 'version (V:)' : 'package name (P:)'}; stanza skipped`);
    return undefined;
  }
  const r: ApkRecord = { name: s.name, version: s.version };
  if (s.arch) r.arch = s.arch;
  if (s.origin) r.origin = s.origin;
  if (s.commit) r.commit = s.commit;
  if (s.license) r.license = s.license;
  if (s.files.length) r.files = s.files;
  return r;
}

/** Parses an apk `installed` database; garbled stanzas are skipped with a warning. */
export function parseApkInstalled(text: string, warn: (reason: string) => void): ApkRecord[] {
  const out: ApkRecord[] = [];
  let s: Stanza | undefined;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    lineNo++;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop === pos) {
      if (s) {
        const r = finishStanza(s, warn);
        if (r) out.push(r);
        s = undefined;
      }
    } else {
      s ??= { line: lineNo, files: [], dir: '', fields: 0 };
      if (text.charCodeAt(pos + 1) !== 58 /* : */) {
        s.garbled ??= lineNo;
      } else {
        s.fields++;
        const value = () => text.slice(pos + 2, stop);
        switch (text[pos]) {
          case 'P':
            s.name = value();
            break;
          case 'V':
            s.version = value();
            break;
          case 'A':
            s.arch = value();
            break;
          case 'o':
            s.origin = value();
            break;
          case 'c':
            s.commit = value();
            break;
          case 'L':
            s.license = value();
            break;
          case 'F':
            s.dir = value();
            break;
          case 'R': {
            const file = value();
            s.files.push(s.dir === '' ? file : `${s.dir}/${file}`);
            break;
          }
          default:
            break; // checksums, sizes, dependencies, ACLs, …
        }
      }
    }
    if (end >= n) break;
    pos = end + 1;
  }
  if (s) {
    const r = finishStanza(s, warn);
    if (r) out.push(r);
  }
  return out;
}

const recordKey = (r: ApkRecord) => `${r.name}\u0000${r.version}\u0000${r.arch ?? ''}`;

function collect(view: ScanView<ApkFile>, ctx: CollectContext): CollectOutput {
  const target = osTarget(ctx.distro, 'apk');
  const byPath = new Map<string, ParsedFile<ApkFile>>();
  for (const f of view.files()) byPath.set(f.path, f);
  const packages: Package[] = [];
  const seenDb = new Set<string>();
  const seen = new Set<string>();
  for (const candidate of DB_PATHS) {
    const real = view.resolve(candidate);
    const db = real === undefined ? undefined : byPath.get(real);
    if (!db || seenDb.has(db.path)) continue;
    seenDb.add(db.path);
    const provenance = new Provenance(view.history(db.path), (v: ApkFile) => v.packages.map(recordKey));
    for (const r of db.value.packages) {
      const id = `${r.name}\u0000${r.arch ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const origin = r.origin ?? r.name;
      const pkg: Package = {
        name: r.name,
        version: r.version,
        ecosystem: target.ecosystem,
        kind: 'os',
        purl: osPurl(target.distro, { type: 'apk', name: r.name, version: r.version, arch: r.arch, upstream: origin }),
        source: { name: origin, version: r.version },
        layer: provenance.layerOf(recordKey(r), db.layer).diffId,
        paths: [db.path],
        foundBy: 'apk',
      };
      if (r.arch) pkg.arch = r.arch;
      if (r.license) pkg.licenses = [r.license];
      if (r.files) pkg.files = r.files;
      if (r.commit) pkg.metadata = { commit: r.commit };
      packages.push(pkg);
    }
  }
  return { packages };
}

export const apkScanner: Scanner<ApkFile> = {
  id: 'apk',
  version: 1,
  kind: 'os',
  maxBytes: MAX_BYTES,
  databases: ['lib/apk/db/installed', 'usr/lib/apk/db/installed'],
  wants: (path) => path === 'lib/apk/db/installed' || path === 'usr/lib/apk/db/installed',
  parse: (file: ScannedFile, ctx: ParseContext): ApkFile => ({
    packages: parseApkInstalled(file.content.toString('utf8'), (r) => ctx.warn(r)),
  }),
  collect,
};
