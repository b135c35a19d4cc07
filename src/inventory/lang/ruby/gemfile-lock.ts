/**
 * Gemfile.lock (Bundler). Gems are the 4-space `name (version)` lines under
 * `specs:` of the source sections GEM, GIT and PLUGIN SOURCE. PATH gems are
 * the project's own (or a local checkout) and are not registry packages;
 * lines in other sections are not gems. A platform gem is written
 * `name (version-platform)`: Bundler splits at the first `-`, and so does
 * this parser. Direct dependencies are the names under DEPENDENCIES.
 */
import { dedupeLocked, type LockedPackage, unreadable } from '../manifest-common.js';

const SOURCE_SECTIONS = new Set(['GEM', 'GIT', 'PLUGIN SOURCE']);
const KNOWN_SECTIONS = new Set([...SOURCE_SECTIONS, 'PATH', 'PLATFORMS', 'DEPENDENCIES', 'BUNDLED WITH', 'RUBY VERSION', 'CHECKSUMS']);
const SPEC = /^ {4}([^\s(]+) \(([^)]+)\)\s*$/;
const DEPENDENCY = /^ {2}([^\s(!]+)/;

export function parseGemfileLock(text: string): LockedPackage[] {
  let section = '';
  let inSpecs = false;
  let sawSection = false;
  const gems: LockedPackage[] = [];
  const direct = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      section = line.trim();
      if (KNOWN_SECTIONS.has(section)) sawSection = true;
      inSpecs = false;
      continue;
    }
    if (section === 'DEPENDENCIES') {
      const m = DEPENDENCY.exec(line);
      if (m) direct.add(m[1] as string);
      continue;
    }
    if (!SOURCE_SECTIONS.has(section)) continue;
    if (/^ {2}\S/.test(line)) {
      inSpecs = line.trim() === 'specs:';
      continue;
    }
    if (!inSpecs) continue;
    const m = SPEC.exec(line);
    if (!m) continue;
    const spec = m[2] as string;
    const dash = spec.indexOf('-');
    const gem: LockedPackage = { name: m[1] as string, version: dash < 0 ? spec : spec.slice(0, dash) };
    if (dash >= 0) {
      gem.qualifiers = { platform: spec.slice(dash + 1) };
      gem.metadata = { platform: spec.slice(dash + 1) };
    }
    gems.push(gem);
  }
  if (!sawSection && text.trim() !== '') throw unreadable('Gemfile.lock has none of the Bundler sections (GEM, GIT, PATH, DEPENDENCIES, …)');
  if (direct.size) for (const g of gems) g.indirect = !direct.has(g.name);
  return dedupeLocked(gems);
}
