/**
 * Which vulnerability ids an advisory speaks for, resolved once when the
 * database is built (or an in-memory store is made), so matching never asks
 * the alias tables: its own CVE ids; for a record that names none (a
 * GHSA-only record, a DSA without CVEs), the CVEs linked to its id (alias
 * group members, the CVEs a DSA fixes); else its own id.
 */
import type { Advisory } from '../../core/advisory.js';

export function isCve(id: string): boolean {
  return id.startsWith('CVE-');
}

/** `linked(id)`: every id known to name the same vulnerability, or that it fixes (a store's alias answer). */
export function vulnIdsOf(adv: Advisory, linked: (id: string) => readonly string[]): string[] {
  const own = [adv.id, ...adv.aliases].filter(isCve);
  if (own.length) return [...new Set(own)];
  const cves = linked(adv.id).filter(isCve);
  return cves.length ? [...new Set(cves)] : [adv.id];
}
