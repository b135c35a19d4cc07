/**
 * A VulnStore held in memory, made from advisory records directly: for
 * table-driven tests of the matcher's rules without a database build, and
 * for library users with a handful of records of their own. It resolves the
 * vulnerability ids an advisory speaks for the same way the SQLite builder
 * does (vuln-ids.ts).
 */
import type { Advisory, AdvisorySnapshot, CpeMatchRule, DbMetadata, LookupRequest, StoredAdvisory, VulnInfo, VulnStore } from '../../core/advisory.js';
import { normalizeEcosystem, normalizePackageName } from '../names.js';
import { snapshotOf } from './snapshot.js';
import { vulnIdsOf } from './vuln-ids.js';

export interface MemoryStoreContents {
  advisories: readonly Advisory[];
  /** Facts per vulnerability id (NVD, KEV, EPSS), already merged. */
  vulnerabilities?: readonly VulnInfo[];
  /** Alias links, as a feed states them: `[id, alias]` names the same vulnerability. */
  aliases?: ReadonlyArray<readonly [string, string]>;
  /** `[vendor, product, rule]` NVD CPE match rules. */
  cpe?: ReadonlyArray<readonly [string, string, CpeMatchRule]>;
  /** Ecosystems the feeds cover; by default every ecosystem an advisory names. */
  ecosystems?: readonly string[];
}

export class MemoryVulnStore implements VulnStore {
  private readonly byPackage = new Map<string, StoredAdvisory[]>();
  private readonly infos: ReadonlyMap<string, VulnInfo>;
  private readonly cpe = new Map<string, CpeMatchRule[]>();
  private readonly covered: ReadonlySet<string>;
  private readonly meta: DbMetadata;

  constructor(contents: MemoryStoreContents) {
    const linked = aliasGroups(contents.aliases ?? []);
    for (const adv of contents.advisories) {
      const ecosystem = normalizeEcosystem(adv.ecosystem);
      const key = `${ecosystem}\u0000${normalizePackageName(ecosystem, adv.package)}`;
      const list = this.byPackage.get(key) ?? [];
      list.push({ ...adv, vulnIds: vulnIdsOf(adv, linked) });
      this.byPackage.set(key, list);
    }
    this.infos = new Map((contents.vulnerabilities ?? []).map((v) => [v.id, v]));
    for (const [vendor, product, rule] of contents.cpe ?? []) {
      const key = `${vendor.toLowerCase()}\u0000${product.toLowerCase()}`;
      this.cpe.set(key, [...(this.cpe.get(key) ?? []), rule]);
    }
    this.covered = new Set((contents.ecosystems ?? contents.advisories.map((a) => a.ecosystem)).map(normalizeEcosystem));
    const sources = [...new Set(contents.advisories.map((a) => a.source))].sort();
    this.meta = {
      schemaVersion: 0,
      builtAt: new Date(0).toISOString(),
      sources: sources.map((id) => ({ id, input: 'memory', records: contents.advisories.filter((a) => a.source === id).length, skipped: 0 })),
    };
  }

  lookup(request: LookupRequest): Promise<AdvisorySnapshot> {
    return Promise.resolve(
      snapshotOf(request, {
        advisories: (ecosystem, name) => this.byPackage.get(`${ecosystem}\u0000${name}`) ?? [],
        cpeMatches: (vendor, product) => this.cpe.get(`${vendor}\u0000${product}`) ?? [],
        covers: (ecosystem) => this.covered.has(ecosystem),
      }),
    );
  }

  vulnerabilities(ids: readonly string[]): Promise<ReadonlyMap<string, VulnInfo>> {
    const out = new Map<string, VulnInfo>();
    for (const id of ids) {
      const info = this.infos.get(id);
      if (info) out.set(id, info);
    }
    return Promise.resolve(out);
  }

  metadata(): DbMetadata {
    return this.meta;
  }

  close(): void {}
}

/** `linked(id)` over alias links: every other member of the id's group (transitively). */
function aliasGroups(links: ReadonlyArray<readonly [string, string]>): (id: string) => string[] {
  const neighbours = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    const set = neighbours.get(a) ?? new Set<string>();
    set.add(b);
    neighbours.set(a, set);
  };
  for (const [a, b] of links) {
    add(a, b);
    add(b, a);
  }
  return (id) => {
    const seen = new Set([id]);
    const queue = [id];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const n of neighbours.get(next) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    seen.delete(id);
    return [...seen].sort();
  };
}
