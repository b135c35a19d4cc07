/** Every feed format Strata reads, in recognition order (most specific first). */
import type { Source } from '../source.js';
import { alpineSecdbSource, chainguardSecdbSource, wolfiSecdbSource } from './alpine-secdb.js';
import { debianDlaSource, debianDsaSource, debianDtsaSource } from './debian-advisory-list.js';
import { debianCveListSource } from './debian-cve-list.js';
import { debianTrackerJsonSource } from './debian-tracker-json.js';
import { debianOvalSource, ubuntuOvalSource } from './distro-oval.js';
import { epssSource } from './epss.js';
import { kevSource } from './kev.js';
import { nvdSource } from './nvd.js';
import { osvSource } from './osv.js';

export const SOURCES: readonly Source[] = [
  osvSource,
  debianDsaSource,
  debianDlaSource,
  debianDtsaSource,
  debianCveListSource,
  debianTrackerJsonSource,
  debianOvalSource,
  ubuntuOvalSource,
  wolfiSecdbSource,
  chainguardSecdbSource,
  alpineSecdbSource,
  nvdSource,
  kevSource,
  epssSource,
];

/** `debian-oval` → its Source; `osv-go` (an OSV feed id) → the OSV source. */
export function sourceById(id: string): Source | undefined {
  const exact = SOURCES.find((s) => s.id === id);
  if (exact) return exact;
  if (id.startsWith('osv-')) return SOURCES.find((s) => s.id === 'osv');
  return undefined;
}
