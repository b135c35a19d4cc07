/**
 * The shared fixtures have no Composer files, so these inputs are written
 * from Composer's documented formats (installed.json as Composer 1 and 2
 * write it into vendor/composer/, composer.lock) with real package names,
 * versions and fields as `composer install` produces them.
 */
import { describe, expect, it } from 'vitest';
import { composerScanner, createComposerScanner } from './php.js';
import { ids, scan } from './testing/fixtures.js';

const monolog = {
  name: 'monolog/monolog',
  version: '3.5.0',
  version_normalized: '3.5.0.0',
  source: { type: 'git', url: 'https://github.com/Seldaek/monolog.git', reference: 'c915e2634718dbc8a4a15c61b0e62e7a44e14448' },
  dist: { type: 'zip', url: 'https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448', reference: 'c915e2634718dbc8a4a15c61b0e62e7a44e14448', shasum: '' },
  require: { php: '>=8.1', 'psr/log': '^2.0 || ^3.0' },
  time: '2023-10-27T15:32:31+00:00',
  type: 'library',
  'installation-source': 'dist',
  license: ['MIT'],
  'install-path': '../monolog/monolog',
};
const psrLog = { name: 'psr/log', version: '3.0.0', version_normalized: '3.0.0.0', type: 'library', license: ['MIT'], dist: { type: 'zip' } };
const symfonyKernel = { name: 'symfony/http-kernel', version: 'v6.4.1', version_normalized: '6.4.1.0', type: 'library', license: ['MIT'] };
const phpunit = { name: 'phpunit/phpunit', version: '10.5.3', version_normalized: '10.5.3.0', type: 'library', license: ['BSD-3-Clause'] };
const plugin = { name: 'composer/installers', version: 'v2.2.0', type: 'composer-plugin', license: ['MIT'] };
const local = { name: 'acme/shared', version: 'dev-main', dist: { type: 'path', url: '../shared', reference: 'abc' }, type: 'library' };

describe('Composer', () => {
  it('installed.json (Composer 2): every installed package, dev ones marked; path repositories are not packages', async () => {
    const installed = { packages: [monolog, psrLog, symfonyKernel, phpunit, plugin, local], dev: true, 'dev-package-names': ['phpunit/phpunit'] };
    const inv = await scan([composerScanner], [{ path: 'var/www/app/vendor/composer/installed.json', content: JSON.stringify(installed, null, 4) }]);
    expect(inv.skipped).toEqual([]);
    // phpunit is a dev package, but installed.json says it is in vendor/: deployed code is reported.
    expect(ids(inv.packages)).toEqual(['composer/installers@v2.2.0', 'monolog/monolog@3.5.0', 'phpunit/phpunit@10.5.3', 'psr/log@3.0.0', 'symfony/http-kernel@v6.4.1']);
    expect(inv.packages.find((p) => p.name === 'phpunit/phpunit')?.metadata).toEqual({ dev: true });
    const m = inv.packages.find((p) => p.name === 'monolog/monolog');
    expect(m).toMatchObject({ ecosystem: 'Packagist', purl: 'pkg:composer/monolog/monolog@3.5.0', licenses: ['MIT'], foundBy: 'composer', paths: ['var/www/app/vendor/composer/installed.json'] });
    expect(m?.cpe).toBeUndefined();
    expect(inv.packages.find((p) => p.name === 'symfony/http-kernel')?.purl).toBe('pkg:composer/symfony/http-kernel@v6.4.1');
    expect(inv.packages.find((p) => p.name === 'composer/installers')?.metadata).toEqual({ type: 'composer-plugin' });
  });

  it('installed.json (Composer 1): a bare array', async () => {
    const inv = await scan([composerScanner], [{ path: 'app/vendor/composer/installed.json', content: JSON.stringify([monolog, psrLog]) }]);
    expect(ids(inv.packages)).toEqual(['monolog/monolog@3.5.0', 'psr/log@3.0.0']);
  });

  it('composer.lock: packages, and packages-dev only when asked; vendored lockfiles are not read', async () => {
    const lock = { _readme: ['This file locks the dependencies of your project to a known state'], 'content-hash': 'e3b0c442', packages: [monolog, psrLog], 'packages-dev': [phpunit], aliases: [], 'minimum-stability': 'stable' };
    const files = [
      { path: 'srv/app/composer.lock', content: JSON.stringify(lock) },
      { path: 'srv/app/vendor/monolog/monolog/composer.lock', content: JSON.stringify({ packages: [symfonyKernel] }) },
      { path: 'srv/app/installed.json', content: JSON.stringify([symfonyKernel]) },
    ];
    expect(ids((await scan([composerScanner], files)).packages)).toEqual(['monolog/monolog@3.5.0', 'psr/log@3.0.0']);
    const all = await scan([createComposerScanner({ includeDev: true })], files);
    expect(ids(all.packages)).toEqual(['monolog/monolog@3.5.0', 'phpunit/phpunit@10.5.3', 'psr/log@3.0.0']);
  });

  it('the same package in installed.json and composer.lock is one package with both paths', async () => {
    const inv = await scan([composerScanner], [
      { path: 'app/composer.lock', content: JSON.stringify({ packages: [monolog] }) },
      { path: 'app/vendor/composer/installed.json', content: JSON.stringify({ packages: [monolog], dev: false, 'dev-package-names': [] }) },
    ]);
    expect(inv.packages).toHaveLength(1);
    expect(inv.packages[0]?.paths).toEqual(['app/composer.lock', 'app/vendor/composer/installed.json']);
  });

  it('truncated or wrong-shaped files are skipped with a reason naming the file kind', async () => {
    const text = JSON.stringify({ packages: [monolog] });
    const inv = await scan([composerScanner], [
      { path: 'a/composer.lock', content: text.slice(0, 50) },
      { path: 'b/vendor/composer/installed.json', content: '{"packages": {"a": 1}}' },
      { path: 'c/composer.lock', content: '{}' },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped.map((s) => `${s.path}: ${s.reason}`).sort()).toEqual([
      expect.stringMatching(/^a\/composer\.lock: composer\.lock is not valid JSON/),
      'b/vendor/composer/installed.json: installed.json is neither a package array (Composer 1) nor {"packages": […]} (Composer 2)',
      'c/composer.lock: composer.lock has neither "packages" nor "packages-dev"',
    ]);
  });
});
