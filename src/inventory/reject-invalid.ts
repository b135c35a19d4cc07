/**
 * Package names and versions that their own package manager would reject:
 * no package manager (dpkg, apk, rpm, npm, pip, …) accepts control
 * characters in either. Such an entry is not a package but an attempt to
 * reach whoever reads the report (`ESC ] 0 ; … BEL` retitles a terminal):
 * it is left out, and skipped[] says where it was and why.
 */
import type { Package, Skipped } from '../core/package.js';
import { escapeForTerminal, hasControlCharacters } from '../util/terminal-text.js';

export function rejectInvalidPackages(packages: readonly Package[], skip: (item: Skipped) => void): Package[] {
  const out: Package[] = [];
  for (const p of packages) {
    const field = hasControlCharacters(p.name) ? 'name' : hasControlCharacters(p.version) ? 'version' : undefined;
    if (!field) {
      out.push(p);
      continue;
    }
    skip({
      scanner: p.foundBy,
      ...(p.paths[0] !== undefined ? { path: p.paths[0] } : {}),
      ...(p.layer ? { layer: p.layer } : {}),
      reason: `package "${escapeForTerminal(p.name)}" version "${escapeForTerminal(p.version)}": the ${field} contains control characters, which no package manager accepts; not a package`,
    });
  }
  return out;
}
