/**
 * Real version strings for the conformance tests, read in place from this
 * machine and from the shared test data (never copied), plus a seeded PRNG so
 * sampled and generated pairs are the same on every run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { sharedData } from '../support/paths.js';
import type { Pair } from './oracles.js';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** Deterministic sample of `n` distinct items (sorted first so input order does not matter). */
export function sample(items: Iterable<string>, n: number, seed: number): string[] {
  const all = [...new Set(items)].sort();
  const rand = prng(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j] as string, all[i] as string];
  }
  return all.slice(0, n);
}

/**
 * Pairs that exercise the comparator: random pairs, plus each version against
 * its neighbour in sorted order (similar strings: the hard cases), plus a
 * version against itself.
 */
export function pairsOf(versions: readonly string[], n: number, seed: number): Pair[] {
  const rand = prng(seed);
  const sorted = [...versions].sort();
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.45) pairs.push([pick(rand, versions), pick(rand, versions)]);
    else if (r < 0.95) {
      const k = Math.floor(rand() * (sorted.length - 1));
      const [x, y] = [sorted[k] as string, sorted[k + 1] as string];
      pairs.push(rand() < 0.5 ? [x, y] : [y, x]);
    } else {
      const v = pick(rand, versions);
      pairs.push([v, v]);
    }
  }
  return pairs;
}

/** Every `Version:` in the apt package lists and the dpkg status of this machine. */
export function aptVersions(): string[] {
  const out = new Set<string>();
  let text = '';
  try {
    text = execFileSync('apt-cache', ['dumpavail'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  } catch {
    // no apt lists: the dpkg status and the tracker data below still give thousands
  }
  if (existsSync('/var/lib/dpkg/status')) text += `\n${readFileSync('/var/lib/dpkg/status', 'utf8')}`;
  for (const m of text.matchAll(/^Version: (\S+)$/gm)) out.add(m[1] as string);
  return [...out];
}

/** Fixed versions named in the Debian security tracker's DSA/DLA lists (`[bookworm] - pkg 1.2-3+deb12u1`). */
export function debianTrackerVersions(): string[] {
  const out = new Set<string>();
  for (const f of ['DSA.list', 'DLA.list']) {
    const text = readFileSync(sharedData('vulns', 'debian-tracker', f), 'utf8');
    for (const m of text.matchAll(/^\s+\[[a-z]+\] - \S+ ([^\s<]+)/gm)) out.add(m[1] as string);
  }
  return [...out];
}

/** Real EVRs from the go-rpmdb fixtures' expected package lists. */
export function rpmdbEvrs(): string[] {
  const root = sharedData('fixtures', 'go-rpmdb');
  const out = new Set<string>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const d = path.join(root, entry.name);
    const files = readdirSync(d).filter((f) => f.startsWith('expected') && f.endsWith('.tsv'));
    for (const f of files) {
      const [header, ...rows] = readFileSync(path.join(d, f), 'utf8').split('\n').filter(Boolean);
      const cols = (header as string).split('\t');
      const ie = cols.findIndex((c) => c === 'epoch' || c === 'epochnum');
      const iv = cols.indexOf('version');
      const ir = cols.indexOf('release');
      for (const row of rows) {
        const c = row.split('\t');
        const e = c[ie] ?? '';
        out.add(`${e ? `${e}:` : ''}${c[iv]}-${c[ir]}`);
        out.add(`${c[iv]}-${c[ir]}`);
        out.add(c[iv] as string);
      }
    }
  }
  return [...out];
}

/** Versions named in an OSV all.zip (events and `versions` lists) for one ecosystem. */
export function osvVersions(ecosystem: 'PyPI' | 'Go' | 'crates.io'): string[] {
  const files = unzipSync(readFileSync(sharedData('vulns', 'osv', ecosystem, 'all.zip')));
  const out = new Set<string>();
  const decoder = new TextDecoder();
  for (const bytes of Object.values(files)) {
    const record = JSON.parse(decoder.decode(bytes)) as {
      affected?: Array<{ ranges?: Array<{ type: string; events: Array<Record<string, string>> }>; versions?: string[] }>;
    };
    for (const a of record.affected ?? []) {
      for (const v of a.versions ?? []) out.add(v);
      for (const r of a.ranges ?? []) {
        if (r.type === 'GIT') continue;
        for (const e of r.events) for (const v of Object.values(e)) if (v !== '0') out.add(v);
      }
    }
  }
  return [...out];
}

/** Fixed versions from Alpine's secdb (every branch). */
export function alpineSecdbVersions(): string[] {
  const dir = sharedData('vulns', 'alpine-secdb');
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const db = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { packages: Array<{ pkg: { secfixes?: Record<string, unknown> } }> };
    for (const p of db.packages) for (const v of Object.keys(p.pkg.secfixes ?? {})) out.add(v);
  }
  return [...out];
}
