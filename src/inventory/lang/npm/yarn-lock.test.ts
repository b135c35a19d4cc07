/**
 * The line reader against Yarn's own parsers: `@yarnpkg/lockfile` (the
 * classic v1 parser) and `@yarnpkg/parsers` (berry's `parseSyml`), on every
 * yarn.lock fixture.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseSyml } from '@yarnpkg/parsers';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { berryDescriptor, parseYarnLock, splitDescriptor } from './yarn-lock.js';

interface ClassicEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
// @yarnpkg/lockfile ships no types: its parse() returns the lockfile as a plain object keyed by descriptor.
const classic = createRequire(import.meta.url)('@yarnpkg/lockfile') as { parse(text: string): { type: string; object: Record<string, ClassicEntry> } };

const fixture = (dir: string) => readFileSync(sharedData('fixtures', 'syft', 'javascript', 'testdata', dir, 'yarn.lock'), 'utf8');
const noWarnings = { warn: (m: string) => expect.fail(m) };

describe('yarn.lock reader agrees with Yarn’s parsers', () => {
  for (const dir of ['yarn', 'yarn-dups', 'yarn-v1-deps', 'yarn-remote', 'yarn-dev-deps']) {
    it(`v1 ${dir}: every descriptor resolves to the same version and dependencies`, () => {
      const text = fixture(dir);
      const official = classic.parse(text);
      expect(official.type).toBe('success');
      const mine = parseYarnLock(text, noWarnings);
      expect(mine.berry).toBe(false);
      const byPattern = new Map(mine.entries.flatMap((e) => e.patterns.map((p) => [p, e] as const)));
      expect(new Set(byPattern.keys())).toEqual(new Set(Object.keys(official.object)));
      for (const [descriptor, entry] of Object.entries(official.object)) {
        const got = byPattern.get(descriptor);
        expect(got?.version).toBe(entry.version);
        expect(got?.name).toBe(splitDescriptor(descriptor)?.name);
        const deps = Object.entries({ ...entry.dependencies, ...entry.optionalDependencies }).map(([n, r]) => `${n}@${r}`);
        expect(new Set(got?.deps ?? [])).toEqual(new Set(deps));
      }
    });
  }

  for (const dir of ['yarn-berry', 'yarn-berry-dups', 'yarn-berry-dev-deps']) {
    it(`berry ${dir}: every descriptor resolves to the same package, version and dependencies`, () => {
      const text = fixture(dir);
      const official = parseSyml(text) as Record<string, { version?: string; resolution?: string; linkType?: string; dependencies?: Record<string, string> }>;
      const mine = parseYarnLock(text, noWarnings);
      expect(mine.berry).toBe(true);
      const byPattern = new Map(mine.entries.flatMap((e) => e.patterns.map((p) => [p, e] as const)));
      const keys = Object.keys(official).filter((k) => k !== '__metadata');
      for (const key of keys) {
        const entry = official[key] ?? {};
        for (const descriptor of key.split(',').map((d) => d.trim())) {
          const got = byPattern.get(berryDescriptor(descriptor));
          expect(got?.version).toBe(entry.version);
          expect(got?.name).toBe(splitDescriptor(entry.resolution ?? '')?.name);
          expect(got?.local === true).toBe(entry.linkType === 'soft');
          const deps = Object.entries(entry.dependencies ?? {}).map(([n, r]) => berryDescriptor(`${n}@${r}`));
          expect(new Set(got?.deps ?? [])).toEqual(new Set(deps));
        }
      }
    });
  }
});
