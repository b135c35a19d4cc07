import { describe, expect, it } from 'vitest';
import { manifestScanners } from './manifests.js';
import { ids, scan } from './testing/fixtures.js';

describe('manifestScanners', () => {
  it('lists each manifest scanner once', () => {
    expect(manifestScanners().map((s) => s.id)).toEqual([
      'npm', 'npm-lock', 'python', 'python-lock', 'gemspec', 'gemfile-lock', 'composer', 'dotnet', 'cargo-lock',
    ]);
  });

  it('passes includeDev to every lockfile scanner', async () => {
    const files = [
      { path: 'a/composer.lock', content: JSON.stringify({ packages: [], 'packages-dev': [{ name: 'phpunit/phpunit', version: '10.5.3' }] }) },
      { path: 'b/Pipfile.lock', content: JSON.stringify({ default: {}, develop: { pytest: { version: '==8.0.0' } } }) },
      { path: 'c/package-lock.json', content: JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/jest': { version: '29.7.0', dev: true } } }) },
    ];
    expect((await scan(manifestScanners(), files)).packages).toEqual([]);
    const all = await scan(manifestScanners({ includeDev: true }), files);
    expect(ids(all.packages)).toEqual(['jest@29.7.0', 'phpunit/phpunit@10.5.3', 'pytest@8.0.0']);
    expect(all.packages.every((p) => p.metadata?.dev === true)).toBe(true);
  });
});
