/** Where the shared test data lives and where built test artefacts go. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** ../shared/data next to the checkout, or STRATA_TEST_DATA. */
export const SHARED_DATA = process.env.STRATA_TEST_DATA ?? path.resolve(REPO_ROOT, '../shared/data');

export function sharedData(...parts: string[]): string {
  const p = path.join(SHARED_DATA, ...parts);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (set STRATA_TEST_DATA to the shared data folder)`);
  return p;
}

/** The strata CLI as built by `npm run build`. */
export const STRATA_BIN = path.join(REPO_ROOT, 'bin', 'strata.js');
