/**
 * The feeds `strata db build` reads when no `--from` is given: the live
 * publisher URLs. A distribution's feeds and their URLs are in its descriptor
 * (src/core/distros.ts), read in list order; `{branch}` in a URL stands for
 * each Alpine branch listed on the secdb index page (falling back to a
 * built-in list when it cannot be read). NVD yearly feeds run from 2002 to
 * the current year.
 *
 *   OSV all.zip        PyPI, npm, Go, crates.io, Maven, RubyGems, NuGet, Packagist
 *   Debian             tracker JSON export; DSA and DLA lists (salsa raw files)
 *   Alpine             secdb <branch>/{main,community}.json, v3.10 … edge
 *   Wolfi, Chainguard  security.json
 *   Ubuntu             USN OVAL for bionic, focal, jammy, noble
 *   NVD                CVE JSON 2.0 yearly feeds
 *   CISA KEV, EPSS
 */
import { DISTROS } from '../core/distros.js';
import type { Logger } from '../core/log.js';
import { outboundFetch } from '../util/http-proxy.js';

export const OSV_BASE = 'https://osv-vulnerabilities.storage.googleapis.com';
export const OSV_ECOSYSTEMS = ['PyPI', 'npm', 'Go', 'crates.io', 'Maven', 'RubyGems', 'NuGet', 'Packagist'];
export const NVD_FEED_BASE = 'https://nvd.nist.gov/feeds/json/cve/2.0';
export const KEV_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
export const EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';

/** Placeholder for each Alpine secdb branch in a live URL. */
const BRANCH = '{branch}';
const ALPINE_FALLBACK_BRANCHES = ['v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'edge'];

export interface LiveFeeds {
  /** `--from`-style specs (`id=URL`). */
  specs: string[];
  /** Specs whose 404 is not an error. */
  optional: Set<string>;
}

/** Alpine branches from the secdb index page (`<a href="v3.20/">`), oldest supported first. */
export async function alpineBranches(indexUrl: string, logger: Logger, signal?: AbortSignal): Promise<string[]> {
  try {
    const res = await outboundFetch(indexUrl, signal ? { signal } : {});
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const html = await res.text();
    const found = new Set<string>();
    for (const m of html.matchAll(/href="(v\d+\.\d+|edge)\/"/g)) if (m[1]) found.add(m[1]);
    const branches = [...found].filter((b) => b === 'edge' || Number(b.split('.')[1]) >= 10 || Number(b.slice(1).split('.')[0]) > 3);
    if (branches.length) return branches;
    throw new Error('no branch links');
  } catch (e) {
    logger.warn(`cannot list Alpine secdb branches at ${indexUrl} (${(e as Error).message}); using ${ALPINE_FALLBACK_BRANCHES.join(', ')}`);
    return ALPINE_FALLBACK_BRANCHES;
  }
}

export async function liveFeeds(logger: Logger, signal?: AbortSignal, now = new Date()): Promise<LiveFeeds> {
  const specs: string[] = [];
  const optional = new Set<string>();
  for (const eco of OSV_ECOSYSTEMS) specs.push(`osv=${OSV_BASE}/${encodeURIComponent(eco)}/all.zip`);
  for (const feed of DISTROS.flatMap((d) => d.feeds ?? [])) {
    const urls = feed.live ?? [];
    const template = urls.find((u) => u.url.includes(BRANCH))?.url;
    const branches = template ? await alpineBranches(template.slice(0, template.indexOf(BRANCH)), logger, signal) : [undefined];
    for (const branch of branches) {
      for (const { url, optional: mayBeMissing } of urls) {
        const spec = `${feed.source}=${branch === undefined ? url : url.replaceAll(BRANCH, branch)}`;
        specs.push(spec);
        if (mayBeMissing) optional.add(spec);
      }
    }
  }
  for (let year = 2002; year <= now.getUTCFullYear(); year++) {
    const spec = `nvd=${NVD_FEED_BASE}/nvdcve-2.0-${year}.json.gz`;
    specs.push(spec);
    if (year === now.getUTCFullYear()) optional.add(spec);
  }
  specs.push(`kev=${KEV_URL}`, `epss=${EPSS_URL}`);
  return { specs, optional };
}
