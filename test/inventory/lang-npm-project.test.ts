/**
 * A real npm project: Strata's own checkout. npm itself (`npm query '*'`,
 * which reads the installed tree with npm's Arborist) is the oracle for what
 * is installed and which packages are dev-only; Strata reads the same
 * project the way it would find it in an image: package-lock.json and every
 * package.json under node_modules.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/core/package.js';
import type { InMemoryFile } from '../../src/inventory/from-files.js';
import { inventoryFromFiles } from '../../src/inventory/from-files.js';
import { createNpmLockScanner, npmLockScanner, npmScanner } from '../../src/inventory/lang/npm.js';
import { REPO_ROOT } from '../support/paths.js';

interface NpmNode {
  name: string;
  version: string;
  location: string;
  dev?: boolean;
  link?: boolean;
}

/** Every package.json under `dir`, as image-relative paths (prefixed `app/`). */
function packageJsons(dir: string, rel: string, out: InMemoryFile[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const relPath = `${rel}/${entry.name}`;
    if (entry.isDirectory()) packageJsons(full, relPath, out);
    else if (entry.isFile() && entry.name === 'package.json') out.push({ path: relPath, content: readFileSync(full) });
  }
}

describe("Strata's own npm project, checked against npm", () => {
  let installed: NpmNode[];
  let lockOptional: Set<string>;
  let fromLock: Inventory;
  let fromLockProd: Inventory;
  let fromTree: Inventory;

  beforeAll(async () => {
    const query = execFileSync('npm', ['query', '*'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    installed = (JSON.parse(query) as NpmNode[]).filter((n) => !n.link && n.location.startsWith('node_modules/'));
    const lockText = readFileSync(path.join(REPO_ROOT, 'package-lock.json'));
    const lock = JSON.parse(lockText.toString()) as { packages: Record<string, { version?: string; name?: string; optional?: boolean }> };
    lockOptional = new Set(
      Object.entries(lock.packages)
        .filter(([, v]) => v.optional)
        .map(([k, v]) => `${v.name ?? k.slice(k.lastIndexOf('node_modules/') + 13)}@${v.version}`),
    );
    const lockFile = [{ path: 'app/package-lock.json', content: lockText }];
    fromLock = await inventoryFromFiles([createNpmLockScanner({ includeDev: true })], lockFile);
    fromLockProd = await inventoryFromFiles([npmLockScanner], lockFile);
    const tree: InMemoryFile[] = [];
    packageJsons(path.join(REPO_ROOT, 'node_modules'), 'app/node_modules', tree);
    fromTree = await inventoryFromFiles([npmScanner], tree);
  }, 120_000);

  it('package-lock.json lists every installed package with npm’s dev flag', () => {
    expect(fromLock.skipped).toEqual([]);
    const mine = new Map(fromLock.packages.map((p) => [`${p.name}@${p.version}`, p.metadata?.dev === true]));
    const npm = new Map<string, boolean>();
    for (const n of installed) {
      const id = `${n.name}@${n.version}`;
      // One name@version installed at several paths is one package, dev only if every copy is.
      npm.set(id, (npm.get(id) ?? true) && n.dev === true);
    }
    expect(installed.length).toBeGreaterThan(50);
    for (const [id, dev] of npm) expect([id, mine.get(id)]).toEqual([id, dev]);
    // What the lockfile has beyond the installed tree: optional packages for other platforms only.
    for (const id of mine.keys()) if (!npm.has(id)) expect([id, lockOptional.has(id)]).toEqual([id, true]);
  });

  it('by default the dev-only packages are left out', () => {
    const devOnly = new Set(fromLock.packages.filter((p) => p.metadata?.dev).map((p) => p.purl));
    expect(devOnly.size).toBeGreaterThan(0);
    expect(fromLockProd.packages.some((p) => devOnly.has(p.purl))).toBe(false);
    expect(fromLockProd.packages.length).toBe(fromLock.packages.length - devOnly.size);
  });

  it('node_modules package.json files give every installed package, at its install path', () => {
    const paths = new Map<string, string[]>();
    for (const p of fromTree.packages) paths.set(`${p.name}@${p.version}`, p.paths);
    for (const n of installed) {
      const found = paths.get(`${n.name}@${n.version}`);
      expect([n.location, found?.includes(`app/${n.location}/package.json`)]).toEqual([n.location, true]);
    }
    // Manifests at package roots (node_modules/<name> or node_modules/@scope/<name>) are exactly npm's tree.
    const atRoots = fromTree.packages.flatMap((p) =>
      p.paths.filter((f) => /node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(f)).map((f) => f.slice('app/'.length, -'/package.json'.length)),
    );
    expect(new Set(atRoots)).toEqual(new Set(installed.map((n) => n.location)));
  });
});
