/**
 * Debian packages (dpkg): `var/lib/dpkg/status`, distroless
 * `var/lib/dpkg/status.d/*`, the files each package owns
 * (`info/*.list`, `*.md5sums`) and its licences (`/usr/share/doc/<pkg>/copyright`).
 */
import type { Package } from '../../core/package.js';
import type { CollectContext, CollectOutput, ParsedFile, ParseContext, ScannedFile, Scanner, ScanView } from '../../core/scanner.js';
import { osPurl } from '../purl.js';
import { osTarget, Provenance } from './common.js';
import { parseDebianCopyright } from './dpkg-copyright.js';
import { type DpkgRecord, parseDpkgList, parseDpkgMd5sums, parseDpkgStatus } from './dpkg-status.js';

/** What parse() keeps of one file, told apart by its key. */
export type DpkgFile = { status: DpkgRecord[] } | { files: string[] } | { licenses: string[] };

const DPKG_DIR = 'var/lib/dpkg/';
const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';
const INFO = 'var/lib/dpkg/info/';
const DOC = 'usr/share/doc/';
/** Big desktop status files are ~5 MB; 64 MiB leaves room without holding a runaway file. */
const MAX_BYTES = 64 * 1024 * 1024;

function isDirectChild(path: string, dir: string): boolean {
  return path.length > dir.length && path.indexOf('/', dir.length) < 0;
}

function wants(path: string): boolean {
  if (path.startsWith(DPKG_DIR)) {
    if (path === STATUS) return true;
    if (path.startsWith(STATUS_D)) return isDirectChild(path, STATUS_D);
    if (path.startsWith(INFO)) return (path.endsWith('.list') || path.endsWith('.md5sums')) && isDirectChild(path, INFO);
    return false;
  }
  // usr/share/doc/<package>/copyright
  if (path.startsWith(DOC) && path.endsWith('/copyright')) {
    const slash = path.indexOf('/', DOC.length);
    return slash === path.length - '/copyright'.length && slash > DOC.length;
  }
  return false;
}

function parse(file: ScannedFile, ctx: ParseContext): DpkgFile | undefined {
  const { path } = file;
  const text = file.content.toString('utf8');
  if (path.startsWith(DOC)) return { licenses: parseDebianCopyright(text) };
  if (path.endsWith('.md5sums')) return { files: parseDpkgMd5sums(text) };
  if (path.startsWith(INFO)) return { files: parseDpkgList(text) };
  const distroless = path.startsWith(STATUS_D);
  return { status: parseDpkgStatus(text, { requireStatus: !distroless, warn: (r) => ctx.warn(r) }) };
}

const recordKey = (r: DpkgRecord) => `${r.name}\u0000${r.version}\u0000${r.arch ?? ''}`;

function statusKeys(value: DpkgFile): string[] {
  return 'status' in value ? value.status.map(recordKey) : [];
}

function collect(view: ScanView<DpkgFile>, ctx: CollectContext): CollectOutput {
  const target = osTarget(ctx.distro, 'deb');
  const all = view.files();
  const byPath = new Map<string, ParsedFile<DpkgFile>>();
  for (const f of all) byPath.set(f.path, f);

  const fileList = (path: string): string[] | undefined => {
    const v = byPath.get(path)?.value;
    return v && 'files' in v ? v.files : undefined;
  };
  const ownedFiles = (r: DpkgRecord, db: string): string[] | undefined => {
    const names = r.arch ? [`${r.name}:${r.arch}`, r.name] : [r.name];
    for (const n of names) {
      const files = fileList(`${INFO}${n}.list`) ?? fileList(`${INFO}${n}.md5sums`);
      if (files) return files;
    }
    if (db.startsWith(STATUS_D)) {
      // distroless: status.d/<name> next to status.d/<name>.md5sums
      for (const n of [...names, db.slice(STATUS_D.length)]) {
        const files = fileList(`${STATUS_D}${n}.md5sums`);
        if (files) return files;
      }
    }
    return undefined;
  };
  const licensesOf = (name: string): string[] | undefined => {
    const real = view.resolve(`${DOC}${name}/copyright`);
    const v = real === undefined ? undefined : byPath.get(real)?.value;
    return v && 'licenses' in v && v.licenses.length ? v.licenses : undefined;
  };

  const packages: Package[] = [];
  const seen = new Set<string>();
  // Sorted by path: the status file comes before status.d entries and wins on duplicates.
  for (const db of all) {
    if (!('status' in db.value)) continue;
    const provenance = new Provenance(view.history(db.path), statusKeys);
    for (const r of db.value.status) {
      const id = `${r.name}\u0000${r.arch ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const sourceName = r.source ?? r.name;
      const pkg: Package = {
        name: r.name,
        version: r.version,
        ecosystem: target.ecosystem,
        kind: 'os',
        purl: osPurl(target.distro, { type: 'deb', name: r.name, version: r.version, arch: r.arch, upstream: sourceName }),
        source: { name: sourceName, version: r.sourceVersion ?? r.version },
        layer: provenance.layerOf(recordKey(r), db.layer).diffId,
        paths: [db.path],
        foundBy: 'dpkg',
      };
      if (r.arch) pkg.arch = r.arch;
      const licenses = licensesOf(r.name);
      if (licenses) pkg.licenses = licenses;
      const files = ownedFiles(r, db.path);
      if (files?.length) pkg.files = files;
      packages.push(pkg);
    }
  }
  return { packages };
}

export const dpkgScanner: Scanner<DpkgFile> = {
  id: 'dpkg',
  version: 2,
  kind: 'os',
  maxBytes: MAX_BYTES,
  databases: [STATUS],
  wants,
  parse,
  collect,
};
