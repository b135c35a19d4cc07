/**
 * Ruby gems: `gemspec` reads installed specifications
 * (`…/specifications/*.gemspec`, including Ruby's bundled default gems in
 * `specifications/default/`); `gemfile-lock` reads Gemfile.lock. A
 * Gemfile.lock inside an installed gem's own folder
 * (`gems/<name>-<version>/Gemfile.lock`, `bundler/gems/<name>-<sha>/`) is
 * that gem's development lockfile, not what the image runs, and is not read.
 */
import type { Package } from '../../core/package.js';
import type { Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  baseName,
  fileText,
  introducedIn,
  isNamed,
  langPackage,
  lockedKeys,
  type LockedPackage,
  lockedPackages,
  LOCKFILE_MAX_BYTES,
  type LockfileScannerOptions,
  MANIFEST_MAX_BYTES,
  packageKey,
  unreadable,
} from './manifest-common.js';
import { parseGemfileLock } from './ruby/gemfile-lock.js';
import { type Gemspec, parseGemspec } from './ruby/gemspec.js';

export function gemPurl(name: string, version: string, platform?: string): string {
  return purl({ type: 'gem', name, version, qualifiers: { platform } });
}

function isInstalledGemspec(path: string): boolean {
  if (!path.endsWith('.gemspec')) return false;
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  return dir.endsWith('/specifications/') || dir.endsWith('/specifications/default/') || dir === 'specifications/' || dir === 'specifications/default/';
}

export interface InstalledGemspec extends Gemspec {
  /** Ships with Ruby itself (`specifications/default/`). */
  defaultGem?: boolean;
}

export const gemspecScanner: Scanner<InstalledGemspec> = {
  id: 'gemspec',
  version: 1,
  kind: 'lang',
  // Generated specs are a few KiB; 8 MiB leaves room for a huge `files` list.
  maxBytes: MANIFEST_MAX_BYTES,
  wants: (path) => isInstalledGemspec(path),
  parse(file) {
    const spec = parseGemspec(fileText(file));
    if ('problem' in spec) throw unreadable(`${baseName(file.path)}: ${spec.problem}`);
    return file.path.includes('/specifications/default/') || file.path.startsWith('specifications/default/') ? { ...spec, defaultGem: true } : spec;
  },
  collect(view) {
    const packages: Package[] = view.files().map((file) => {
      const g = file.value;
      const metadata: Record<string, string | boolean> = {};
      if (g.platform) metadata.platform = g.platform;
      if (g.defaultGem) metadata.defaultGem = true;
      const layer = introducedIn(view, file, (v) => [packageKey(v.name, v.version)])(g.name, g.version);
      return langPackage(
        file,
        'gemspec',
        { name: g.name, version: g.version, ecosystem: 'RubyGems', purl: gemPurl(g.name, g.version, g.platform), licenses: g.licenses, metadata },
        layer,
      );
    });
    return { packages };
  },
};

/** `…/gems/<name>-<version>/…` (an installed gem) or `…/bundler/gems/<name>-<sha>/…` (a git gem checkout): a gem's own files. */
const INSIDE_INSTALLED_GEM = /(^|\/)(gems\/[^/]+-\d[^/]*|bundler\/gems\/[^/]+)\//;

export function createGemfileLockScanner(options: LockfileScannerOptions = {}): Scanner<LockedPackage[]> {
  return {
    id: 'gemfile-lock',
    version: 1,
    kind: 'lang',
    maxBytes: LOCKFILE_MAX_BYTES,
    wants: (path) => isNamed(path, 'Gemfile.lock') && !INSIDE_INSTALLED_GEM.test(path),
    parse: (file) => parseGemfileLock(fileText(file)),
    collect(view) {
      const packages: Package[] = [];
      for (const file of view.files()) {
        packages.push(
          ...lockedPackages(view, file, 'gemfile-lock', file.value, options, (p) => ({
            ecosystem: 'RubyGems',
            purl: gemPurl(p.name, p.version, p.qualifiers?.platform),
          }), lockedKeys),
        );
      }
      return { packages };
    },
  };
}

export const gemfileLockScanner = createGemfileLockScanner();
