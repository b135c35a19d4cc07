/**
 * Python packages: `python` reads installed distributions
 * (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`, `EGG-INFO/PKG-INFO` in
 * eggs, single-file `*.egg-info`); `python-lock` reads poetry.lock,
 * Pipfile.lock, uv.lock and pdm.lock.
 *
 * Names keep their display form (`PyYAML`); the purl is normalised as the
 * purl spec says for pypi (lower case, `_` → `-`): `pkg:pypi/pyyaml@6.0`.
 */
import type { Package } from '../../core/package.js';
import type { ScannedFile, Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  baseName,
  dirName,
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
  parseJson,
  unreadable,
} from './manifest-common.js';
import { parsePdmLock, parsePipfileLock, parsePoetryLock, parseUvLock } from './python/locks.js';
import { type PythonDistribution, pythonDistribution } from './python/metadata.js';

/** pypi purl: the name normalised as the purl spec requires (lower case, `_` → `-`). */
export function pypiPurl(name: string, version: string): string {
  return purl({ type: 'pypi', name: name.toLowerCase().replace(/_/g, '-'), version });
}

/** Matches the installed-distribution metadata files; `dist-info`/`egg-info` directory names in either case. */
function isDistributionMetadata(path: string): boolean {
  if (path.endsWith('/METADATA')) return /(^|[-.\/])dist-info$/i.test(dirName(path));
  if (path.endsWith('/PKG-INFO')) return /(^|[-.\/])egg-info$/i.test(dirName(path));
  return path.endsWith('.egg-info');
}

/** Bytes of the header block: everything before the first empty line. */
function headerText(file: ScannedFile): string {
  const buf = file.content;
  let end = buf.indexOf('\n\n');
  const crlf = buf.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  const text = buf.toString('utf8', 0, end < 0 ? buf.length : end + 1);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export const pythonScanner: Scanner<PythonDistribution> = {
  id: 'python',
  version: 1,
  kind: 'lang',
  maxBytes: MANIFEST_MAX_BYTES,
  wants: (path) => isDistributionMetadata(path),
  parse(file, ctx) {
    if (file.content.includes(0)) throw unreadable(`${baseName(file.path)} is binary, not package metadata`);
    const d = pythonDistribution(headerText(file));
    if ('problem' in d) {
      ctx.warn(`${baseName(file.path)}: ${d.problem}; not a package`);
      return undefined;
    }
    return d;
  },
  collect(view) {
    const packages: Package[] = view.files().map((file) =>
      langPackage(
        file,
        'python',
        {
          name: file.value.name,
          version: file.value.version,
          ecosystem: 'PyPI',
          purl: pypiPurl(file.value.name, file.value.version),
          licenses: file.value.licenses,
        },
        introducedIn(view, file, (v) => [packageKey(v.name, v.version)])(file.value.name, file.value.version),
      ),
    );
    return { packages };
  },
};

const PYTHON_LOCKFILES = ['poetry.lock', 'Pipfile.lock', 'uv.lock', 'pdm.lock'];

export function createPythonLockScanner(options: LockfileScannerOptions = {}): Scanner<LockedPackage[]> {
  return {
    id: 'python-lock',
    version: 1,
    kind: 'lang',
    maxBytes: LOCKFILE_MAX_BYTES,
    wants(path) {
      if (!path.endsWith('.lock')) return false;
      for (const name of PYTHON_LOCKFILES) if (isNamed(path, name)) return true;
      return false;
    },
    parse(file) {
      const name = baseName(file.path);
      if (name === 'Pipfile.lock') return parsePipfileLock(parseJson(file, 'Pipfile.lock'));
      const text = fileText(file);
      if (name === 'poetry.lock') return parsePoetryLock(text);
      if (name === 'uv.lock') return parseUvLock(text);
      return parsePdmLock(text);
    },
    collect(view) {
      const packages: Package[] = [];
      for (const file of view.files()) {
        packages.push(
          ...lockedPackages(view, file, 'python-lock', file.value, options, (p) => ({ ecosystem: 'PyPI', purl: pypiPurl(p.name, p.version) }), lockedKeys),
        );
      }
      return { packages };
    },
  };
}

export const pythonLockScanner = createPythonLockScanner();
