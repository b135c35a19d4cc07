/**
 * The ids linked to a vulnerability id in the SQLite tables: its alias
 * group (CVE ↔ GHSA ↔ PYSEC/GO/RUSTSEC, …) and, for a DSA/DLA/USN, the CVEs
 * it fixes. The builder resolves advisories' vulnerability ids with it; the
 * reader answers `aliasesOf` and the facts of a non-CVE id with it.
 */
import type { Database } from '../../util/sqlite.js';

export interface AliasQueries {
  /** Members of the id's alias group (ordered by id), the id itself included; [] when it has none. */
  groupOf(id: string): string[];
  /** Everything linked to the id (group members, then what it fixes), without the id itself. */
  linked(id: string): string[];
}

export function aliasQueries(db: Database.Database): AliasQueries {
  const group = db.prepare('SELECT grp FROM alias_group WHERE id = ?').pluck();
  const members = db.prepare('SELECT id FROM alias_group WHERE grp = ? ORDER BY id').pluck();
  const fixes = db.prepare("SELECT DISTINCT alias FROM alias WHERE id = ? AND relation = 'fixes' ORDER BY alias").pluck();
  const groupOf = (id: string): string[] => {
    const grp = group.get(id) as number | undefined;
    return grp === undefined ? [] : (members.all(grp) as string[]);
  };
  return {
    groupOf,
    linked(id) {
      const out = new Set(groupOf(id));
      for (const x of fixes.all(id) as string[]) out.add(x);
      out.delete(id);
      return [...out];
    },
  };
}
