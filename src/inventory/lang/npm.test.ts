import { describe, expect, it } from 'vitest';
import type { Package } from '../../core/package.js';
import { createNpmLockScanner, npmLockScanner, npmScanner } from './npm.js';
import { expectedRows, fixture, ids, scan } from './testing/fixtures.js';

const withDev = createNpmLockScanner({ includeDev: true });

describe('package-lock.json (go-dep-parser fixtures, EXPECTED.tsv)', () => {
  const rows = expectedRows('go-dep-parser', 'nodejs-npm', 'EXPECTED.tsv');
  const files = [...new Set(rows.map((r) => r.file as string))];

  /**
   * Where Strata deliberately differs from the transcribed Trivy rows:
   * - lockfile v1 does not record what the project itself depends on, so
   *   `indirect` is left unknown instead of claimed true for every package;
   * - `nested_func` is a workspace member (the project's own code, a link in
   *   the lockfile), not a registry package;
   * - `debug@2.6.9` sits in that workspace member's node_modules because the
   *   member declares it: it is a direct dependency of the project.
   */
  function corrected(file: string): string[] {
    return rows
      .filter((r) => r.file === file)
      .filter((r) => !(file === 'package-lock_v3_with_workspace.json' && r.name === 'nested_func'))
      .map((r) => {
        let indirect = file === 'package-lock_v1.json' ? 'unknown' : r.indirect;
        if (file === 'package-lock_v3_with_workspace.json' && r.name === 'debug' && r.version === '2.6.9') indirect = 'false';
        return `${r.name}@${r.version} dev=${r.dev} indirect=${indirect}`;
      })
      .sort();
  }

  for (const file of files) {
    it(`${file}: every package with its dev and indirect flags`, async () => {
      const inv = await scan([withDev], [{ path: `srv/${file}/package-lock.json`, content: fixture('go-dep-parser', 'nodejs-npm', file) }]);
      expect(inv.skipped).toEqual([]);
      const got = inv.packages
        .map((p) => `${p.name}@${p.version} dev=${p.metadata?.dev === true} indirect=${p.metadata?.indirect ?? 'unknown'}`)
        .sort();
      expect(got).toEqual(corrected(file));
      for (const p of inv.packages) {
        expect(p.ecosystem).toBe('npm');
        expect(p.kind).toBe('lang');
        expect(p.foundBy).toBe('npm-lock');
        expect(p.paths).toEqual([`srv/${file}/package-lock.json`]);
        expect(p.layer).toBe('sha256:in-memory');
      }
    });

    it(`${file}: development-only packages are left out by default`, async () => {
      const inv = await scan([npmLockScanner], [{ path: `srv/${file}/package-lock.json`, content: fixture('go-dep-parser', 'nodejs-npm', file) }]);
      const expected = corrected(file)
        .filter((r) => r.includes('dev=false'))
        .map((r) => r.split(' ')[0] as string)
        .sort();
      expect(ids(inv.packages)).toEqual(expected);
    });
  }

  it('scoped names get a purl with the scope as namespace', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'package-lock.json', content: fixture('go-dep-parser', 'nodejs-npm', 'package-lock_v3.json') }]);
    const babel = inv.packages.find((p) => p.name === '@babel/helper-string-parser');
    expect(babel?.purl).toBe('pkg:npm/%40babel/helper-string-parser@7.19.4');
  });
});

describe('package.json (syft fixtures, EXPECTED.tsv)', () => {
  const rows = expectedRows('syft', 'javascript', 'EXPECTED.tsv').filter((r) => r.kind === 'npm');

  it('every manifest with a name and a version is a package; the partial one is not', async () => {
    // One scan per file: most of these describe the same npm@6.14.6 and would merge into one package.
    const dir = 'javascript/testdata/pkg-json';
    const names = [
      'package-all-author-fields.json', 'package-author-non-standard.json', 'package-authors-array.json',
      'package-authors-objects.json', 'package-authors-string.json', 'package-both-author-and-authors.json',
      'package-contributors-string.json', 'package-contributors.json', 'package-license-object.json',
      'package-license-objects.json', 'package-maintainers-object.json', 'package-maintainers.json',
      'package-malformed-license.json', 'package-nested-author.json', 'package-no-license.json',
      'package-private.json', 'package-repo-string.json', 'package.json', 'package-partial.json',
    ];
    // Each file is placed as its own package.json, as it would sit in an image.
    const byPath = new Map<string, Package>();
    for (const n of names) {
      const inv = await scan([npmScanner], [{ path: `node_modules/${n.replace(/\.json$/, '')}/package.json`, content: fixture('syft', dir, n) }]);
      expect(inv.skipped).toEqual([]);
      for (const p of inv.packages) byPath.set(p.paths[0] as string, p);
    }
    for (const n of names) {
      const row = rows.find((r) => r.file === `${dir}/${n}`);
      const p = byPath.get(`node_modules/${n.replace(/\.json$/, '')}/package.json`);
      if (!row) {
        expect(p).toBeUndefined();
        continue;
      }
      expect(p && `${p.name}@${p.version}`).toBe(`${row.name}@${row.version}`);
    }
    expect(byPath.get('node_modules/package-private/package.json')?.metadata).toEqual({ private: true });
    expect(byPath.get('node_modules/package-license-objects/package.json')?.licenses).toEqual(['MIT', 'Apache-2.0']);
    expect(byPath.get('node_modules/package-license-object/package.json')?.licenses).toEqual(['ISC']);
    expect(byPath.get('node_modules/package-malformed-license/package.json')?.licenses).toEqual(['MIT']);
  });

  it('an installed package in node_modules and the same one in a lockfile merge into one package', async () => {
    const dir = 'javascript/testdata/pkg-lock';
    const inv = await scan(
      [npmScanner, npmLockScanner],
      [
        { path: 'app/package-lock.json', content: fixture('syft', dir, 'package-lock.json') },
        { path: 'app/node_modules/cowsay/package.json', content: fixture('syft', dir, 'node_modules/cowsay/package.json') },
        { path: 'app/node_modules/@actions/core/package.json', content: fixture('syft', dir, 'node_modules/@actions/core/package.json') },
      ],
    );
    const cowsay = inv.packages.filter((p) => p.name === 'cowsay');
    expect(cowsay).toHaveLength(1);
    expect(cowsay[0]?.paths).toEqual(['app/node_modules/cowsay/package.json', 'app/package-lock.json']);
    expect(cowsay[0]?.purl).toBe('pkg:npm/cowsay@1.4.0');
    const core = inv.packages.filter((p) => p.name === '@actions/core');
    expect(core.map((p) => p.purl)).toEqual(['pkg:npm/%40actions/core@1.6.0']);
  });

  it('garbled manifests are skipped with a reason naming the file', async () => {
    const inv = await scan([npmScanner], [
      { path: 'opt/x/package.json', content: fixture('syft', 'javascript/testdata/corrupt/package.json') },
      { path: 'opt/y/package.json', content: '{"name":"ok","version":"1.0.0"}' },
    ]);
    expect(ids(inv.packages)).toEqual(['ok@1.0.0']);
    expect(inv.skipped).toHaveLength(1);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'npm', path: 'opt/x/package.json', layer: 'sha256:in-memory' });
    expect(inv.skipped[0]?.reason).toMatch(/^package\.json is not valid JSON/);
  });

  it('a package.json without a name or a version is ignored, not an error', async () => {
    const inv = await scan([npmScanner], [
      { path: 'a/package.json', content: '{"type":"module"}' },
      { path: 'b/package.json', content: '{"name":"x"}' },
      { path: 'c/package.json', content: '{"version":"1.0.0"}' },
      { path: 'd/package.json', content: '[]' },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toEqual([]);
  });

  it('a package.json larger than 8 MiB is not read and is reported as skipped', async () => {
    const big = `{"name":"big","version":"1.0.0","x":"${'a'.repeat(8 * 1024 * 1024)}"}`;
    const inv = await scan([npmScanner], [{ path: 'srv/package.json', content: big }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'npm', path: 'srv/package.json' });
    expect(inv.skipped[0]?.reason).toMatch(/too large/);
  });
});

describe('package-lock.json (syft fixtures)', () => {
  const dir = 'javascript/testdata/pkg-lock';
  async function lock(name: string, scanner = withDev) {
    return scan([scanner], [{ path: `app/${name}/package-lock.json`, content: fixture('syft', dir, name) }]);
  }

  it('v1 aliases name the real package (the derived EXPECTED rows keep the alias spec as the version)', async () => {
    const inv = await lock('alias-package-lock-1.json');
    expect(ids(inv.packages)).toEqual(['@bundled-es-modules/chai@4.2.2', 'case@1.6.2', 'case@1.6.3']);
  });

  it('v2 aliases use the entry name', async () => {
    const inv = await lock('alias-package-lock-2.json');
    expect(ids(inv.packages)).toEqual(['@bundled-es-modules/chai@4.2.2', 'case@1.6.2', 'case@1.6.3']);
  });

  it('v1 nested dependencies are read at every depth, and children of a dev package are dev', async () => {
    const inv = await lock('nested-package-lock-1.json');
    expect(ids(inv.packages)).toEqual([
      'dev-nested@1.0.0', 'dev-parent@1.0.0', 'duplicate@1.0.0', 'middle@1.0.0', 'parent@1.0.0',
      'shared@0.5.0', 'shared@1.0.0', 'shared@2.0.0',
    ]);
    const dev = inv.packages.filter((p) => p.metadata?.dev).map((p) => p.name).sort();
    expect(dev).toEqual(['dev-nested', 'dev-parent']);
    expect(ids((await lock('nested-package-lock-1.json', npmLockScanner)).packages)).not.toContain('dev-parent@1.0.0');
  });

  it('v1 file (a stray node_modules/ key, dev) and v2/v3 files with licenses', async () => {
    const v1 = await lock('package-lock.json', npmLockScanner);
    expect(ids(v1.packages)).toEqual([
      '@actions/core@1.6.0', 'ansi-regex@3.0.0', 'cowsay@1.4.0', 'get-stdin@5.0.1', 'is-fullwidth-code-point@2.0.0',
      'minimist@0.0.10', 'optimist@0.6.1', 'string-width@2.1.1', 'strip-ansi@4.0.0', 'strip-eof@1.0.0', 'wordwrap@0.0.3',
    ]);
    const withAsync = await lock('package-lock.json');
    expect(withAsync.packages.find((p) => p.name === 'async')?.metadata).toEqual({ dev: true });

    const v2 = await lock('package-lock-2.json', npmLockScanner);
    expect(ids(v2.packages)).toEqual(['@types/prop-types@15.7.5', '@types/react@18.0.17', '@types/scheduler@0.16.2', 'csstype@3.1.0']);
    expect(v2.packages.find((p) => p.name === 'csstype')?.licenses).toEqual(['MIT']);
    const v3 = await lock('package-lock-3.json', npmLockScanner);
    expect(ids(v3.packages)).toEqual(['@types/prop-types@15.7.5', '@types/react@18.0.20', '@types/scheduler@0.16.2', 'csstype@3.1.1']);
    const arr = await lock('array-license-package-lock.json');
    expect(arr.packages.find((p) => p.name === 'pause-stream')?.licenses).toEqual(['MIT', 'Apache2']);
  });

  it('a truncated lockfile is skipped with the JSON error', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'app/package-lock.json', content: fixture('syft', 'javascript/testdata/corrupt/package-lock.json') }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toHaveLength(1);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'npm-lock', path: 'app/package-lock.json' });
    expect(inv.skipped[0]?.reason).toMatch(/^package-lock\.json is not valid JSON/);
  });

  it('lockfiles inside node_modules (a dependency’s own) are not read', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'app/node_modules/x/package-lock.json', content: fixture('syft', dir, 'package-lock-3.json') }]);
    expect(inv.packages).toEqual([]);
  });
});

describe('yarn.lock (syft fixtures)', () => {
  const dir = 'javascript/testdata';
  const classic = [
    '@babel/code-frame@7.10.4', '@types/minimatch@3.0.3', '@types/qs@6.9.4', 'ajv@6.12.3', 'asn1.js@4.10.1', 'atob@2.1.2',
    'aws-sdk@2.706.0', 'c0n-fab_u.laTION@7.7.7', 'jhipster-core@7.3.4',
  ];

  it('v1: one package per resolved entry, duplicates merged', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'app/yarn.lock', content: fixture('syft', dir, 'yarn/yarn.lock') }]);
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(classic);
    expect(inv.packages.every((p) => p.metadata === undefined)).toBe(true); // no package.json: nothing known about dev/direct
  });

  it('berry: names from the resolution; the workspace entry is not a package', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'app/yarn.lock', content: fixture('syft', dir, 'yarn-berry/yarn.lock') }]);
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(classic.filter((x) => !x.startsWith('c0n-fab')));
  });

  for (const variant of ['yarn-dev-deps', 'yarn-berry-dev-deps']) {
    it(`${variant}: dev dependencies found through the project's package.json are left out`, async () => {
      const files = [
        { path: 'app/yarn.lock', content: fixture('syft', dir, variant, 'yarn.lock') },
        { path: 'app/package.json', content: fixture('syft', dir, variant, 'package.json') },
      ];
      const inv = await scan([npmLockScanner], files);
      expect(ids(inv.packages)).toEqual(['prod-pkg@1.0.0', 'shared-pkg@1.0.0']);
      expect(inv.packages.find((p) => p.name === 'prod-pkg')?.metadata).toEqual({ indirect: false });
      expect(inv.packages.find((p) => p.name === 'shared-pkg')?.metadata).toEqual({ indirect: true });
      const all = await scan([withDev], files);
      expect(ids(all.packages)).toEqual(['dev-only-transitive@1.0.0', 'dev-pkg@1.0.0', 'prod-pkg@1.0.0', 'shared-pkg@1.0.0']);
      expect(all.packages.find((p) => p.name === 'dev-only-transitive')?.metadata).toEqual({ dev: true, indirect: true });
    });
  }

  it('duplicated entries and v1 with many dependencies', async () => {
    for (const [file, expected] of [
      ['yarn-dups/yarn.lock', undefined],
      ['yarn-berry-dups/yarn.lock', undefined],
      ['yarn-v1-deps/yarn.lock', undefined],
      ['yarn-remote/yarn.lock', ['@babel/code-frame@7.10.4']],
    ] as const) {
      const inv = await scan([npmLockScanner], [{ path: `x/${file}`, content: fixture('syft', dir, file) }]);
      expect(inv.skipped).toEqual([]);
      expect(inv.packages.length).toBeGreaterThan(0);
      if (expected) expect(ids(inv.packages)).toEqual(expected);
      expect(new Set(ids(inv.packages)).size).toBe(inv.packages.length);
    }
  });

  it('aliases in both formats name the installed package', async () => {
    const v1 = [
      '# yarn lockfile v1',
      '',
      '"string-width-cjs@npm:string-width@^4.2.0":',
      '  version "4.2.3"',
      '  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz"',
      '',
      '"local@file:../local":',
      '  version "0.0.1"',
      '',
    ].join('\n');
    const berry = [
      '__metadata:',
      '  version: 6',
      '',
      '"string-width-cjs@npm:string-width@^4.2.0":',
      '  version: 4.2.3',
      '  resolution: "string-width@npm:4.2.3"',
      '  languageName: node',
      '  linkType: hard',
      '',
      '"resolve@patch:resolve@npm%3A^1.22.1#~builtin<compat/resolve>":',
      '  version: 1.22.1',
      '  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=c3c19d"',
      '  languageName: node',
      '  linkType: hard',
      '',
    ].join('\n');
    for (const text of [v1, berry]) {
      const inv = await scan([npmLockScanner], [{ path: 'yarn.lock', content: text }]);
      expect(ids(inv.packages)).toEqual(['string-width@4.2.3']);
      expect(inv.packages[0]?.purl).toBe('pkg:npm/string-width@4.2.3');
    }
  });

  it('a garbled yarn.lock is skipped with the line that is wrong', async () => {
    const inv = await scan([npmLockScanner], [{ path: 'app/yarn.lock', content: '{"this": "is json"}\n' }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]?.reason).toMatch(/^yarn\.lock line 1: expected/);
  });
});

describe('pnpm-lock.yaml (syft fixtures)', () => {
  const dir = 'javascript/testdata';
  async function pnpm(file: string, scanner = npmLockScanner) {
    return scan([scanner], [{ path: 'app/pnpm-lock.yaml', content: fixture('syft', dir, file) }]);
  }

  it('v5: dev packages are marked and left out; peer suffixes are not part of the version', async () => {
    // The fixture was trimmed upstream to one (dev) package entry; its importers still name three others.
    const all = await pnpm('pnpm/pnpm-lock.yaml', withDev);
    expect(all.skipped).toEqual([]);
    expect(all.packages.map((p) => `${p.name}@${p.version} ${JSON.stringify(p.metadata)}`)).toEqual([
      '@bcoe/v8-coverage@0.2.3 {"dev":true,"indirect":true}',
    ]);
    expect((await pnpm('pnpm/pnpm-lock.yaml')).packages).toEqual([]);
    const peer = await pnpm('pnpm-v5-peer-suffix/pnpm-lock.yaml');
    expect(ids(peer.packages)).toEqual(expect.arrayContaining(['acorn@8.8.0', 'acorn-jsx@5.3.2', 'webpack-cli@4.10.0']));
    expect(peer.packages.find((p) => p.name === 'acorn-jsx')?.metadata).toEqual({ indirect: false });
  });

  it('v6: `/name@version(peers)` keys and dev flags', async () => {
    const inv = await pnpm('pnpm-v6/pnpm-lock.yaml');
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(expect.arrayContaining(['@babel/core@7.21.4', '@testing-library/react@13.4.0', 'react@18.2.0']));
    expect(inv.packages.find((p) => p.name === '@testing-library/react')?.metadata).toEqual({ indirect: false });
    expect(inv.packages.find((p) => p.name === '@babel/core')?.metadata).toEqual({ indirect: true });
  });

  it('v9 with snapshots: the graph says what is direct; a v9 file in v6 style still reads', async () => {
    const inv = await pnpm('pnpm-v9-snapshots/pnpm-lock.yaml');
    expect(ids(inv.packages)).toEqual(['cross-spawn@7.0.6', 'isexe@2.0.0', 'path-key@3.1.1', 'shebang-command@2.0.0', 'shebang-regex@3.0.0', 'which@2.0.2']);
    expect(inv.packages.filter((p) => p.metadata?.indirect === false).map((p) => p.name)).toEqual(['cross-spawn']);
    const odd = await pnpm('pnpm-v9/pnpm-lock.yaml');
    expect(ids(odd.packages)).toEqual(['@babel/core@7.24.7', '@babel/helper-plugin-utils@7.24.7', 'is-positive@3.1.0', 'rollup@4.18.0']);
  });

  it("multi-document files: pnpm's self-management document is not the project", async () => {
    const inv = await pnpm('pnpm-multi-doc/pnpm-lock.yaml');
    expect(ids(inv.packages)).toEqual(['minimist@1.2.0']);
  });

  it('v9 dev dependencies are found through snapshots', async () => {
    const text = [
      "lockfileVersion: '9.0'",
      'importers:',
      '  .:',
      '    dependencies:',
      '      a:',
      '        specifier: ^1.0.0',
      '        version: 1.0.0',
      '    devDependencies:',
      '      t:',
      '        specifier: ^2.0.0',
      '        version: 2.0.0(a@1.0.0)',
      '      local:',
      '        specifier: link:../local',
      '        version: link:../local',
      'packages:',
      '  a@1.0.0: {resolution: {integrity: sha512-a}}',
      '  shared@3.0.0: {resolution: {integrity: sha512-s}}',
      '  t@2.0.0: {resolution: {integrity: sha512-t}}',
      '  t-helper@1.0.0: {resolution: {integrity: sha512-h}}',
      'snapshots:',
      '  a@1.0.0:',
      '    dependencies:',
      '      shared: 3.0.0',
      '  shared@3.0.0: {}',
      '  t@2.0.0(a@1.0.0):',
      '    dependencies:',
      '      shared: 3.0.0',
      '      t-helper: 1.0.0',
      '  t-helper@1.0.0: {}',
      '',
    ].join('\n');
    const inv = await scan([withDev], [{ path: 'pnpm-lock.yaml', content: text }]);
    expect(inv.packages.map((p) => `${p.name}@${p.version} ${JSON.stringify(p.metadata)}`).sort()).toEqual([
      'a@1.0.0 {"indirect":false}',
      'shared@3.0.0 {"indirect":true}',
      't-helper@1.0.0 {"dev":true,"indirect":true}',
      't@2.0.0 {"dev":true,"indirect":false}',
    ]);
  });

  it('a garbled pnpm-lock.yaml is skipped; an alias bomb is refused', async () => {
    const corrupt = await pnpm('corrupt/pnpm-lock.yaml');
    expect(corrupt.packages).toEqual([]);
    expect(corrupt.skipped[0]?.reason).toMatch(/^pnpm-lock\.yaml/);

    const bomb = ['lockfileVersion: 5.4', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    const inv = await scan([npmLockScanner], [{ path: 'pnpm-lock.yaml', content: bomb.join('\n') }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]?.reason).toMatch(/alias/i);
  });
});
