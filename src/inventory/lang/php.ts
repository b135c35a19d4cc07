/**
 * PHP (Composer): `vendor/composer/installed.json` lists what `composer
 * install` put in vendor/ — format 1 is a bare array, format 2 (Composer 2)
 * `{packages, dev, dev-package-names}`; composer.lock lists `packages` and
 * `packages-dev`. Installed dev packages are reported (they are on disk);
 * composer.lock's packages-dev only with includeDev, like every lockfile. Packages from a `path` repository (dist type `path`) are
 * the project's own code. A composer.lock under vendor/ is a dependency's
 * own lockfile and is not read.
 *
 * Versions are kept as Composer writes them (`v5.4.1`, `1.2.3`, `dev-main`);
 * the Packagist name `vendor/package` becomes the purl namespace and name.
 */
import type { Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  asRecord,
  dedupeLocked,
  isNamed,
  isRecord,
  licenseList,
  lockedKeys,
  type LockedPackage,
  lockedPackages,
  LOCKFILE_MAX_BYTES,
  type LockfileScannerOptions,
  parseJson,
  str,
  underDir,
  unreadable,
} from './manifest-common.js';
import { collectPerFile } from '../collect-per-file.js';

export function composerPurl(name: string, version: string): string {
  const slash = name.indexOf('/');
  return slash > 0
    ? purl({ type: 'composer', namespace: name.slice(0, slash), name: name.slice(slash + 1), version })
    : purl({ type: 'composer', name, version });
}

/**
 * `dev` marks a development-only package; in a lockfile that drops it by
 * default, while installed.json describes what is on disk, so there it is
 * only noted (`metadata.dev`): a dev package deployed in vendor/ (the
 * classic exposed vendor/phpunit) is attack surface like any other.
 */
function composerPackages(list: unknown, dev: (name: string) => 'drop' | 'note' | false, what: string): LockedPackage[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw unreadable(`${what}: the package list is not an array`);
  const out: LockedPackage[] = [];
  for (const raw of list) {
    if (!isRecord(raw)) continue;
    const name = str(raw.name);
    const version = str(raw.version);
    if (!name || !version) continue;
    if (str(asRecord(raw.dist).type) === 'path') continue;
    const p: LockedPackage = { name, version };
    const metadata: Record<string, string | boolean> = {};
    const devness = dev(name);
    if (devness === 'drop') p.dev = true;
    else if (devness === 'note') metadata.dev = true;
    const licenses = licenseList(raw.license);
    if (licenses) p.licenses = licenses;
    const type = str(raw.type);
    if (type && type !== 'library') metadata.type = type;
    if (Object.keys(metadata).length) p.metadata = metadata;
    out.push(p);
  }
  return out;
}

export function parseInstalledJson(json: unknown): LockedPackage[] {
  if (Array.isArray(json)) return dedupeLocked(composerPackages(json, () => false, 'installed.json'));
  if (!isRecord(json) || !Array.isArray(json.packages)) throw unreadable('installed.json is neither a package array (Composer 1) nor {"packages": […]} (Composer 2)');
  const devNames = new Set(Array.isArray(json['dev-package-names']) ? json['dev-package-names'].filter((n): n is string => typeof n === 'string') : []);
  return dedupeLocked(composerPackages(json.packages, (n) => (devNames.has(n) ? 'note' : false), 'installed.json'));
}

export function parseComposerLock(json: unknown): LockedPackage[] {
  if (!isRecord(json) || (json.packages === undefined && json['packages-dev'] === undefined)) {
    throw unreadable('composer.lock has neither "packages" nor "packages-dev"');
  }
  return dedupeLocked([
    ...composerPackages(json.packages, () => false, 'composer.lock'),
    ...composerPackages(json['packages-dev'], () => 'drop', 'composer.lock'),
  ]);
}

export function createComposerScanner(options: LockfileScannerOptions = {}): Scanner<LockedPackage[]> {
  return {
    id: 'composer',
    version: 1,
    kind: 'lang',
    // installed.json of a large application is a few MiB; treated like a lockfile.
    maxBytes: LOCKFILE_MAX_BYTES,
    wants(path) {
      if (isNamed(path, 'installed.json')) return isNamed(path, 'composer/installed.json');
      return isNamed(path, 'composer.lock') && !underDir(path, 'vendor');
    },
    parse(file) {
      if (isNamed(file.path, 'installed.json')) return parseInstalledJson(parseJson(file, 'installed.json'));
      return parseComposerLock(parseJson(file, 'composer.lock'));
    },
    collect(view, ctx) {
      return collectPerFile(view, ctx, 'composer', (file) =>
        lockedPackages(view, file, 'composer', file.value, options, (p) => ({ ecosystem: 'Packagist', purl: composerPurl(p.name, p.version) }), lockedKeys),
      );
    },
  };
}

export const composerScanner = createComposerScanner();
