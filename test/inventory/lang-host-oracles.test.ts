/**
 * Real installed packages of this machine, checked against the ecosystems'
 * own readers: Python's importlib.metadata for every dist-info/egg-info of
 * Debian's /usr/bin/python3 and of the python3 on PATH; RubyGems'
 * Gem::Specification for every installed gemspec (Debian's ruby, default
 * gems included); Bundler's LockfileParser for every Gemfile.lock found
 * under the Ruby installation and the shared fixture. The interpreters come
 * from .ci/debian-packages (python3, ruby).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InMemoryFile } from '../../src/inventory/from-files.js';
import { inventoryFromFiles } from '../../src/inventory/from-files.js';
import { pythonScanner } from '../../src/inventory/lang/python.js';
import { gemfileLockScanner, gemspecScanner } from '../../src/inventory/lang/ruby.js';
import { sharedData } from '../support/paths.js';

/** Image path of a host file: the absolute path without its leading slash. */
const imagePath = (file: string): string => file.replace(/^\/+/, '');

describe('Python distributions of this machine (importlib.metadata)', () => {
  const interpreters = ['/usr/bin/python3', 'python3'];
  const script = [
    'import importlib.metadata as m, json, sys',
    'out = []',
    'for d in m.distributions():',
    '    p = getattr(d, "_path", None)',
    '    if p is not None: out.append([d.metadata["Name"], d.version, str(p)])',
    'json.dump(out, sys.stdout)',
  ].join('\n');

  for (const python of interpreters) {
    it(`every distribution ${python} sees has the same name and version in Strata`, async () => {
      const dists = JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf8' })) as [string, string, string][];
      expect(dists.length).toBeGreaterThan(0);
      const files: InMemoryFile[] = [];
      const expected: string[] = [];
      for (const [name, version, dir] of dists) {
        const metadataFile = statSync(dir).isFile()
          ? dir
          : [path.join(dir, 'METADATA'), path.join(dir, 'PKG-INFO')].find((f) => existsSync(f));
        if (!metadataFile) continue;
        files.push({ path: imagePath(metadataFile), content: readFileSync(metadataFile) });
        expected.push(`${imagePath(metadataFile)} ${name}@${version}`);
      }
      const inv = await inventoryFromFiles([pythonScanner], files);
      expect(inv.skipped).toEqual([]);
      const got = inv.packages.flatMap((p) => p.paths.map((f) => `${f} ${p.name}@${p.version}`));
      expect(got.sort()).toEqual([...new Set(expected)].sort());
    });
  }
});

describe('Ruby gems of this machine', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'strata-bundler-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('every installed gemspec gives what Gem::Specification says (name, version, platform)', async () => {
    const out = execFileSync('ruby', ['-e', 'Gem::Specification.each { |s| puts [s.name, s.version, s.platform, s.loaded_from].join("\\t") }'], { encoding: 'utf8' });
    const specs = out.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string, string, string]);
    expect(specs.length).toBeGreaterThan(10);
    const files = specs.map(([, , , file]) => ({ path: imagePath(file), content: readFileSync(file) }));
    const inv = await inventoryFromFiles([gemspecScanner], files);
    expect(inv.skipped).toEqual([]);
    const got = inv.packages.flatMap((p) => p.paths.map((f) => `${f} ${p.name}@${p.version} ${String(p.metadata?.platform ?? 'ruby')}`)).sort();
    expect(got).toEqual(specs.map(([name, version, platform, file]) => `${imagePath(file)} ${name}@${version} ${platform}`).sort());
    const defaults = inv.packages.filter((p) => p.metadata?.defaultGem);
    expect(defaults.length).toBeGreaterThan(0);
    for (const p of defaults) expect(p.paths[0]).toContain('/specifications/default/');
  });

  /** Gemfile.lock files under the Ruby installation (installed gems' own lockfiles) plus the syft fixture. */
  function lockfiles(): string[] {
    const found: string[] = [sharedData('fixtures', 'syft', 'ruby', 'testdata', 'Gemfile.lock')];
    const gemsDir = '/usr/lib/ruby/gems';
    const walk = (dir: string, depth: number): void => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full, depth + 1);
        else if (e.name === 'Gemfile.lock') found.push(full);
      }
    };
    walk(gemsDir, 0);
    return found;
  }

  it('every Gemfile.lock gives the gems Bundler’s own parser reads from its GEM and GIT sources', async () => {
    const gemfile = path.join(tmp, 'Gemfile');
    writeFileSync(gemfile, '');
    const files = lockfiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const out = execFileSync(
        'ruby',
        ['-rbundler', '-e', 'lf = Bundler::LockfileParser.new(File.read(ARGV[0])); lf.specs.each { |s| puts [s.name, s.version, s.platform, s.source.class.name].join("\\t") }', file],
        { encoding: 'utf8', env: { ...process.env, BUNDLE_GEMFILE: gemfile }, cwd: tmp },
      );
      const bundler = out
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t') as [string, string, string, string])
        // Path sources are the project's own code; Strata leaves them out by design.
        .filter(([, , , source]) => source !== 'Bundler::Source::Path')
        .map(([name, version, platform]) => `${name}@${version}${platform === 'ruby' ? '' : `?platform=${platform}`}`);
      // Placed where an application's lockfile would be (the scanner skips lockfiles inside installed gems).
      const inv = await inventoryFromFiles([gemfileLockScanner], [{ path: 'srv/app/Gemfile.lock', content: readFileSync(file) }]);
      expect(inv.skipped).toEqual([]);
      const got = inv.packages.map((p) => `${p.name}@${p.version}${p.metadata?.platform ? `?platform=${String(p.metadata.platform)}` : ''}`);
      expect([file, got.sort()]).toEqual([file, [...new Set(bundler)].sort()]);
    }
  });
});
