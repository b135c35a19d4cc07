/**
 * Decides which distribution an image is from the release files it has:
 * os-release first (it names the family, version and product), then the
 * distribution-specific files for images that predate os-release or leave
 * fields out (Debian testing has no VERSION_ID, Alpine edge says so only in
 * PRETTY_NAME or its repositories).
 */
import type { Distro } from '../../core/package.js';
import { mayOmitVersion, RELEASE_FILES } from '../../core/distros.js';
import { distroEcosystem, type ReleaseId } from '../../core/ecosystem.js';
import { parseReleaseLine } from './os-release.js';

/** What the distro scanner keeps of one release file. */
export type ReleaseFile = { kv: Record<string, string> } | { text: string };

/** Reads a parsed release file by image path (symlinks already followed by the caller). */
export type ReleaseLookup = (path: string) => { path: string; file: ReleaseFile } | undefined;

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;

export const DISTRO_PATHS: readonly string[] = [
  ...OS_RELEASE_PATHS,
  // The distros' one-line release files (their descriptors), most specific first.
  ...RELEASE_FILES,
  'etc/lsb-release',
  'etc/debian_version',
  'etc/apk/repositories',
];

/** os-release keys worth keeping. */
export const OS_RELEASE_KEYS = [
  'ID',
  'ID_LIKE',
  'NAME',
  'PRETTY_NAME',
  'VERSION',
  'VERSION_ID',
  'VERSION_CODENAME',
  'HOME_URL',
  'DISTRIB_ID',
  'DISTRIB_RELEASE',
  'DISTRIB_CODENAME',
  'DISTRIB_DESCRIPTION',
] as const;

function text(found: ReturnType<ReleaseLookup>): string | undefined {
  return found && 'text' in found.file ? found.file.text : undefined;
}

function kv(found: ReturnType<ReleaseLookup>): Record<string, string> | undefined {
  return found && 'kv' in found.file ? found.file.kv : undefined;
}

interface Extras {
  codename?: string;
  variant?: string;
  name?: string;
}

function build(id: ReleaseId, evidence: string, extras: Extras = {}): Distro {
  const distro: Distro = { family: id.family, version: id.version, ecosystem: distroEcosystem(id) };
  const name = extras.name ?? id.prettyName;
  if (name) distro.name = name;
  if (extras.codename) distro.codename = extras.codename;
  if (extras.variant) distro.variant = extras.variant;
  distro.evidence = evidence;
  return distro;
}

/** `trixie/sid` or `12.5` → the Debian version Strata uses (`sid` when testing/unstable). */
function debianVersion(debianVersionFile: string | undefined): string | undefined {
  const v = debianVersionFile?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)*$/.test(v)) return v;
  if (v.includes('/') || v === 'sid' || v === 'testing' || v === 'unstable') return 'sid';
  return undefined;
}

/** Alpine edge: PRETTY_NAME says so, VERSION_ID is a snapshot, or the repositories name only edge. */
function alpineEdge(prettyName: string | undefined, versionId: string, repositories: string | undefined): boolean {
  if (prettyName && /\bedge\b/.test(prettyName)) return true;
  if (/_(alpha|beta|pre|rc|git)/.test(versionId)) return true;
  if (!repositories) return false;
  let edge = false;
  let branch = false;
  for (const line of repositories.split('\n')) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    if (/\/edge\//.test(l)) edge = true;
    else if (/\/v\d+\.\d+\//.test(l)) branch = true;
  }
  return edge && !branch;
}

/** The Alpine branch named by `/etc/apk/repositories` (`3.20`), when it names exactly one. */
function alpineBranch(repositories: string | undefined): string | undefined {
  if (!repositories) return undefined;
  const branches = new Set<string>();
  for (const m of repositories.matchAll(/\/v(\d+\.\d+)\//g)) if (m[1]) branches.add(m[1]);
  return branches.size === 1 ? [...branches][0] : undefined;
}

function fromOsRelease(values: Record<string, string>, path: string, lookup: ReleaseLookup): Distro | undefined {
  const family = (values.ID ?? '').toLowerCase();
  if (!family) return undefined;
  const pretty = values.PRETTY_NAME;
  const codename = values.VERSION_CODENAME;
  let version = values.VERSION_ID ?? '';
  const extra: Extras = { codename };

  switch (family) {
    case 'debian': {
      if (!version) {
        const dv = lookup('etc/debian_version');
        version = debianVersion(text(dv)) ?? 'sid';
      }
      // Google's distroless images keep Debian's os-release but rename it.
      if (pretty === 'Distroless' || (values.HOME_URL ?? '').includes('GoogleContainerTools/distroless')) extra.variant = 'distroless';
      break;
    }
    case 'alpine': {
      const repos = text(lookup('etc/apk/repositories'));
      if (alpineEdge(pretty, version, repos)) version = 'edge';
      else if (!version) version = alpineBranch(repos) ?? text(lookup('etc/alpine-release'))?.trim() ?? '';
      break;
    }
    case 'ubuntu':
      if (!version) version = kv(lookup('etc/lsb-release'))?.DISTRIB_RELEASE ?? '';
      break;
    default:
      break;
  }
  if (!version && !mayOmitVersion(family)) return undefined;
  return build({ family, version, prettyName: pretty }, path, extra);
}

function fromReleaseFiles(lookup: ReleaseLookup): Distro | undefined {
  for (const candidate of RELEASE_FILES) {
    const found = lookup(candidate);
    const content = text(found);
    if (!found || content === undefined) continue;
    if (candidate === 'etc/alpine-release') {
      const v = content.trim().split('\n')[0]?.trim() ?? '';
      if (!/^\d+\.\d+/.test(v)) continue;
      const repos = text(lookup('etc/apk/repositories'));
      const version = alpineEdge(undefined, v, repos) ? 'edge' : v;
      return build({ family: 'alpine', version }, found.path);
    }
    const line = parseReleaseLine(content);
    if (!line) continue;
    const suse = line.family === 'sles' || line.family === 'sled' || line.family === 'opensuse';
    // SUSE ecosystems are built from PRETTY_NAME; the old release file's first line is not one.
    return build({ family: line.family, version: line.version, prettyName: suse ? undefined : line.name }, found.path, suse ? { name: line.name } : {});
  }
  const lsb = lookup('etc/lsb-release');
  const lsbValues = kv(lsb);
  if (lsb && lsbValues?.DISTRIB_ID && lsbValues.DISTRIB_RELEASE) {
    const family = lsbValues.DISTRIB_ID.toLowerCase();
    return build({ family, version: lsbValues.DISTRIB_RELEASE, prettyName: lsbValues.DISTRIB_DESCRIPTION }, lsb.path, {
      codename: lsbValues.DISTRIB_CODENAME,
    });
  }
  const dv = lookup('etc/debian_version');
  const version = debianVersion(text(dv));
  if (dv && version) return build({ family: 'debian', version }, dv.path);
  return undefined;
}

/** The image's distribution, or undefined when no release file names one. */
export function detectDistro(lookup: ReleaseLookup): Distro | undefined {
  for (const p of OS_RELEASE_PATHS) {
    const found = lookup(p);
    const values = kv(found);
    if (!found || !values) continue;
    const distro = fromOsRelease(values, found.path, lookup);
    if (distro) return distro;
  }
  return fromReleaseFiles(lookup);
}
