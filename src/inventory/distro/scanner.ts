/**
 * The distro scanner: keeps the release files of every layer and, on the
 * final image, names the distribution (family, version, OSV ecosystem).
 */
import type { Distro } from '../../core/package.js';
import type { CollectContext, CollectOutput, ParsedFile, ScannedFile, Scanner, ScanView } from '../../core/scanner.js';
import { DISTRO_PATHS, detectDistro, OS_RELEASE_KEYS, type ReleaseFile } from './detect.js';
import { parseOsRelease } from './os-release.js';

const WANTED = new Set(DISTRO_PATHS);
const KEY_VALUE_FILES = new Set(['etc/os-release', 'usr/lib/os-release', 'etc/lsb-release']);
/** Release files are a few hundred bytes; anything near this is not one. */
const MAX_RELEASE_FILE = 64 * 1024;
/** Only the first lines of a text release file matter. */
const KEEP_TEXT = 4096;

function parseReleaseFile(file: ScannedFile): ReleaseFile {
  const content = file.content.toString('utf8');
  if (KEY_VALUE_FILES.has(file.path)) {
    const all = parseOsRelease(content);
    const kept: Record<string, string> = {};
    for (const k of OS_RELEASE_KEYS) {
      const v = all[k];
      if (v !== undefined) kept[k] = v.slice(0, 256);
    }
    return { kv: kept };
  }
  return { text: content.slice(0, KEEP_TEXT) };
}

function collectDistro(view: ScanView<ReleaseFile>): Distro | undefined {
  const byPath = new Map<string, ParsedFile<ReleaseFile>>();
  for (const f of view.files()) byPath.set(f.path, f);
  return detectDistro((path) => {
    // os-release is usually a symlink (etc/os-release → ../usr/lib/os-release).
    const real = view.resolve(path);
    const found = real === undefined ? undefined : byPath.get(real);
    return found ? { path: found.path, file: found.value } : undefined;
  });
}

export const distroScanner: Scanner<ReleaseFile> = {
  id: 'distro',
  version: 1,
  kind: 'distro',
  maxBytes: MAX_RELEASE_FILE,
  wants: (path) => WANTED.has(path),
  parse: (file) => parseReleaseFile(file),
  collect(view: ScanView<ReleaseFile>, _ctx: CollectContext): CollectOutput {
    const distro = collectDistro(view);
    return distro ? { distro } : {};
  },
};
