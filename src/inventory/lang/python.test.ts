import { describe, expect, it } from 'vitest';
import { createPythonLockScanner, pythonLockScanner, pythonScanner } from './python.js';
import { expectedRows, fixture, ids, scan } from './testing/fixtures.js';

const rows = expectedRows('syft', 'python', 'EXPECTED.tsv');
const FIXTURE_PREFIX = 'python/testdata/';

/** The fixture placed at an image path under site-packages, keeping its folder names (which is what `wants` looks at). */
function sitePackages(file: string): { path: string; content: Buffer } {
  return { path: `usr/lib/python3/dist-packages/${file.slice(FIXTURE_PREFIX.length)}`, content: fixture('syft', file) };
}

describe('installed distributions (syft fixtures, EXPECTED.tsv)', () => {
  const metadataRows = rows.filter((r) => r.kind === 'python');

  it('finds every distribution in METADATA, PKG-INFO and .egg-info files with the expected name and version', async () => {
    const files = metadataRows.map((r) => sitePackages(r.file as string));
    // Siblings that must not be read: not metadata files by name.
    files.push(sitePackages('python/testdata/site-packages/nested/egg-name/egg-info/PKG-INFO-INVALID'));
    files.push(sitePackages('python/testdata/site-packages/nested/dist-name/dist-info/RECORD'));
    const inv = await scan([pythonScanner], files);
    const got = inv.packages.flatMap((p) => p.paths.map((path) => `${path} ${p.name}@${p.version}`)).sort();
    // Deliberate difference: no-version-py3.8.egg-info has a Name and no Version; a
    // distribution without a version cannot be matched and is reported as skipped instead.
    const expected = metadataRows
      .filter((r) => r.version !== '')
      .map((r) => `${sitePackages(r.file as string).path} ${r.name}@${r.version}`)
      .sort();
    expect(got).toEqual(expected);
    expect(inv.skipped).toEqual([
      {
        scanner: 'python',
        path: 'usr/lib/python3/dist-packages/site-packages/no-version/no-version-py3.8.egg-info',
        layer: 'sha256:in-memory',
        reason: 'no-version-py3.8.egg-info: no-version has no Version header; not a package',
      },
    ]);
  });

  it('keeps the display name and normalises the purl; licences come from License or the classifiers', async () => {
    const inv = await scan([pythonScanner], [
      sitePackages('python/testdata/site-packages/nested/dist-name/dist-info/METADATA'),
      sitePackages('python/testdata/Python-2.7.egg-info'),
      { path: 'usr/lib/python3/dist-packages/ruamel_yaml-0.17.dist-info/METADATA', content: 'Metadata-Version: 2.4\r\nName: ruamel_yaml\r\nVersion: 0.17\r\nLicense-Expression: MIT\r\n\r\nlong text\n' },
    ]);
    const byName = new Map(inv.packages.map((p) => [p.name, p]));
    expect(byName.get('Pygments')).toMatchObject({ purl: 'pkg:pypi/pygments@2.6.1', ecosystem: 'PyPI', licenses: ['BSD License'], foundBy: 'python' });
    expect(byName.get('Python')).toMatchObject({ purl: 'pkg:pypi/python@2.7.13', licenses: ['PSF license'] });
    expect(byName.get('ruamel_yaml')).toMatchObject({ purl: 'pkg:pypi/ruamel-yaml@0.17', licenses: ['MIT'] });
    expect(inv.packages.every((p) => p.cpe === undefined)).toBe(true);
  });

  it('reads only the header block: a huge description after the first empty line costs nothing and is ignored', async () => {
    const text = `Name: big\nVersion: 1.0\n\nName: not-this\n${'x'.repeat(1_000_000)}`;
    const inv = await scan([pythonScanner], [{ path: 'site-packages/big-1.0.dist-info/METADATA', content: text }]);
    expect(ids(inv.packages)).toEqual(['big@1.0']);
  });

  it('a binary or header-less METADATA is skipped with a reason naming it', async () => {
    const inv = await scan([pythonScanner], [
      { path: 'site-packages/a-1.dist-info/METADATA', content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]) },
      { path: 'site-packages/b-1.dist-info/METADATA', content: 'garbage without headers\n' },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped.map((s) => `${s.path}: ${s.reason}`).sort()).toEqual([
      'site-packages/a-1.dist-info/METADATA: METADATA is binary, not package metadata',
      'site-packages/b-1.dist-info/METADATA: METADATA: no metadata headers; not a package',
    ]);
  });
});

describe('lockfiles (syft fixtures, EXPECTED.tsv)', () => {
  const lockRows = rows.filter((r) => r.kind === 'python-lock');
  const lockFiles = [...new Set(lockRows.map((r) => r.file as string))];
  const withDev = createPythonLockScanner({ includeDev: true });

  /**
   * Deliberate differences from the derived rows: uv's `testpkg` is the
   * project itself (`source = { virtual = "." }`), not a registry package;
   * repeated rows (coverage, rfc3986 listed twice) are one package.
   */
  for (const file of lockFiles) {
    it(`${file.slice(FIXTURE_PREFIX.length)}: the packages the file locks`, async () => {
      const inv = await scan([withDev], [{ path: `srv/${file}`, content: fixture('syft', file) }]);
      expect(inv.skipped).toEqual([]);
      const expected = [...new Set(lockRows.filter((r) => r.file === file && r.name !== 'testpkg').map((r) => `${r.name}@${r.version}`))].sort();
      expect(ids(inv.packages)).toEqual(expected);
      for (const p of inv.packages) expect(p.paths).toEqual([`srv/${file}`]);
    });
  }

  it('poetry.lock names are kept as written; the purl is normalised', async () => {
    const inv = await scan([pythonLockScanner], [{ path: 'app/poetry.lock', content: fixture('syft', 'python/testdata/poetry/case-sensitivity/poetry.lock') }]);
    expect(inv.packages.map((p) => p.purl).sort()).toEqual(['pkg:pypi/dj-rest-auth@7.0.1', 'pkg:pypi/django@5.2.6', 'pkg:pypi/djangorestframework@3.16.1']);
  });

  it('Pipfile.lock: default packages, develop ones only when asked', async () => {
    const file = { path: 'app/Pipfile.lock', content: fixture('syft', 'python/testdata/pipfile-lock/Pipfile.lock') };
    const prod = await scan([pythonLockScanner], [file]);
    expect(ids(prod.packages)).toEqual(['aio-pika@6.8.0', 'aiodns@2.0.0', 'aiohttp-jinja2@1.4.2', 'aiohttp@3.7.4.post0']);
    const all = await scan([withDev], [file]);
    expect(all.packages.filter((p) => p.metadata?.dev).map((p) => `${p.name}@${p.version}`).sort()).toEqual(['astroid@2.5.2', 'autopep8@1.5.6']);
  });

  it('poetry dev packages (category or groups) and uv dev groups are left out by default', async () => {
    const poetry = [
      '[[package]]', 'name = "requests"', 'version = "2.32.2"', 'groups = ["main"]', '',
      '[[package]]', 'name = "pytest"', 'version = "8.0.0"', 'groups = ["dev"]', '',
      '[[package]]', 'name = "black"', 'version = "24.1.0"', 'category = "dev"', '',
      '[[package]]', 'name = "mylib"', 'version = "0.1.0"', '[package.source]', 'type = "directory"', 'url = "../mylib"', '',
    ].join('\n');
    const uv = [
      'version = 1',
      '[[package]]', 'name = "app"', 'version = "0.1.0"', 'source = { editable = "." }',
      'dependencies = [{ name = "requests" }]',
      '[package.dev-dependencies]', 'dev = [{ name = "pytest" }]', '',
      '[[package]]', 'name = "requests"', 'version = "2.32.3"', 'source = { registry = "https://pypi.org/simple" }',
      'dependencies = [{ name = "idna" }]', '',
      '[[package]]', 'name = "idna"', 'version = "3.10"', 'source = { registry = "https://pypi.org/simple" }', '',
      '[[package]]', 'name = "pytest"', 'version = "8.3.0"', 'source = { registry = "https://pypi.org/simple" }',
      'dependencies = [{ name = "idna" }, { name = "pluggy" }]', '',
      '[[package]]', 'name = "pluggy"', 'version = "1.5.0"', 'source = { registry = "https://pypi.org/simple" }', '',
    ].join('\n');
    const files = [
      { path: 'a/poetry.lock', content: poetry },
      { path: 'b/uv.lock', content: uv },
    ];
    expect(ids((await scan([pythonLockScanner], files)).packages)).toEqual(['idna@3.10', 'requests@2.32.2', 'requests@2.32.3']);
    const all = await scan([withDev], files);
    expect(all.packages.filter((p) => p.metadata?.dev).map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      'black@24.1.0', 'pluggy@1.5.0', 'pytest@8.0.0', 'pytest@8.3.0',
    ]);
  });

  it('poetry dev-deps fixture: every package is in the dev category', async () => {
    const file = { path: 'app/poetry.lock', content: fixture('syft', 'python/testdata/poetry/dev-deps/poetry.lock') };
    expect((await scan([pythonLockScanner], [file])).packages).toEqual([]);
    const all = await scan([withDev], [file]);
    expect(ids(all.packages)).toEqual(['added-value@0.14.2', 'alabaster@0.7.12', 'appnope@0.1.0', 'asciitree@0.3.3']);
    expect(all.packages.every((p) => p.metadata?.dev === true)).toBe(true);
  });

  it('a truncated poetry.lock is skipped with the parser reason', async () => {
    const whole = fixture('syft', 'python/testdata/poetry/dev-deps/poetry.lock');
    const inv = await scan([pythonLockScanner], [{ path: 'app/poetry.lock', content: whole.subarray(0, 380) }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toHaveLength(1);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'python-lock', path: 'app/poetry.lock' });
    expect(inv.skipped[0]?.reason).toMatch(/^poetry\.lock is not valid TOML/);
  });
});
