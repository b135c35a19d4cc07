/**
 * Property tests: every manifest/lockfile parser, fed random bytes, random
 * JSON/TOML/YAML-shaped values, and real fixtures with bytes flipped,
 * spliced or cut, either returns well-formed packages or throws a
 * StrataError ('corrupt') with Strata's own message (never a JavaScript
 * TypeError leaking out) —
 * and returns promptly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../../core/errors.js';
import type { Scanner } from '../../core/scanner.js';
import { cargoLockScanner } from './cargo-lock.js';
import { dotnetScanner } from './dotnet.js';
import { npmLockScanner, npmScanner } from './npm.js';
import { composerScanner } from './php.js';
import { pythonLockScanner, pythonScanner } from './python.js';
import { gemfileLockScanner, gemspecScanner } from './ruby.js';
import { fixture } from './testing/fixtures.js';

interface Target {
  scanner: Scanner;
  path: string;
  seed: Buffer;
}

const targets: Target[] = [
  { scanner: npmScanner, path: 'node_modules/x/package.json', seed: fixture('syft', 'javascript/testdata/pkg-json/package.json') },
  { scanner: npmLockScanner, path: 'app/package-lock.json', seed: fixture('go-dep-parser', 'nodejs-npm', 'package-lock_v3_with_workspace.json') },
  { scanner: npmLockScanner, path: 'app/package-lock.json', seed: fixture('syft', 'javascript/testdata/pkg-lock/nested-package-lock-1.json') },
  { scanner: npmLockScanner, path: 'app/yarn.lock', seed: fixture('syft', 'javascript/testdata/yarn/yarn.lock') },
  { scanner: npmLockScanner, path: 'app/yarn.lock', seed: fixture('syft', 'javascript/testdata/yarn-berry/yarn.lock') },
  { scanner: npmLockScanner, path: 'app/pnpm-lock.yaml', seed: fixture('syft', 'javascript/testdata/pnpm-v6/pnpm-lock.yaml') },
  { scanner: npmLockScanner, path: 'app/pnpm-lock.yaml', seed: fixture('syft', 'javascript/testdata/pnpm-v9-snapshots/pnpm-lock.yaml') },
  { scanner: pythonScanner, path: 'site-packages/a-1.dist-info/METADATA', seed: fixture('syft', 'python/testdata/site-packages/nested/dist-name/dist-info/METADATA') },
  { scanner: pythonLockScanner, path: 'app/poetry.lock', seed: fixture('syft', 'python/testdata/poetry/simple-deps/poetry.lock') },
  { scanner: pythonLockScanner, path: 'app/uv.lock', seed: fixture('syft', 'python/testdata/uv/nested-extras/uv.lock') },
  { scanner: pythonLockScanner, path: 'app/Pipfile.lock', seed: fixture('syft', 'python/testdata/pipfile-lock/Pipfile.lock') },
  { scanner: pythonLockScanner, path: 'app/pdm.lock', seed: fixture('syft', 'python/testdata/pdm-lock/pdm.lock') },
  { scanner: gemspecScanner, path: 'gems/specifications/bundler-2.1.4.gemspec', seed: fixture('syft', 'ruby/testdata/bundler.gemspec') },
  { scanner: gemfileLockScanner, path: 'app/Gemfile.lock', seed: fixture('syft', 'ruby/testdata/Gemfile.lock') },
  { scanner: composerScanner, path: 'app/composer.lock', seed: Buffer.from(JSON.stringify({ packages: [{ name: 'a/b', version: '1.0.0', license: ['MIT'] }], 'packages-dev': [] })) },
  { scanner: composerScanner, path: 'app/vendor/composer/installed.json', seed: Buffer.from(JSON.stringify({ packages: [{ name: 'a/b', version: '1.0.0' }], 'dev-package-names': ['a/b'] })) },
  { scanner: dotnetScanner, path: 'app/app.deps.json', seed: fixture('syft', 'dotnet/testdata/dir-example-1/TestLibrary.deps.json') },
  { scanner: dotnetScanner, path: 'app/packages.lock.json', seed: fixture('syft', 'dotnet/testdata/packages.lock.json') },
  { scanner: cargoLockScanner, path: 'app/Cargo.lock', seed: fixture('syft', 'rust/testdata/Cargo.lock-with-git-deps') },
];

/** JavaScript's own error messages: a parser that lets one of these escape did not check its input. */
const LEAKED = /Cannot read prop|is not a function|is not iterable|undefined is not|null is not|Maximum call stack|Cannot convert/;

async function parseOnce(t: Target, content: Buffer): Promise<void> {
  expect(t.scanner.wants(t.path, { path: t.path, type: 'file', mode: 0o644, size: content.length })).toBe(true);
  let value: unknown;
  try {
    value = await t.scanner.parse({ path: t.path, mode: 0o644, size: content.length, content }, { warn: () => {} });
  } catch (e) {
    // Only Strata's own "cannot read this file" error, never a JavaScript error escaping from a parser.
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).code).toBe('corrupt');
    expect((e as Error).message).not.toMatch(LEAKED);
    return;
  }
  // Whatever came out must survive the layer cache (plain JSON) and collect().
  const json = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  expect(json).toEqual(value ?? null);
  const out = t.scanner.collect(
    {
      layers: [{ index: 0, diffId: 'sha256:x' }],
      files: () => (value === undefined ? [] : [{ path: t.path, layer: { index: 0, diffId: 'sha256:x' }, value }]),
      history: () => [],
      resolve: (p) => p,
    },
    { skip: () => {} },
  );
  for (const p of out.packages ?? []) {
    expect(typeof p.name).toBe('string');
    expect(p.name).not.toBe('');
    expect(typeof p.version).toBe('string');
    expect(p.version).not.toBe('');
    expect(p.purl).toMatch(/^pkg:/);
  }
}

/** A real file with a few bytes overwritten, a chunk spliced in and/or its tail cut. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
  splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 }))),
  cut: fc.option(fc.nat()),
});

function mutate(seed: Buffer, m: { flips: [number, number][]; splice: [number, Uint8Array] | null; cut: number | null }): Buffer {
  let b = Buffer.from(seed);
  for (const [at, byte] of m.flips) if (b.length) b[at % b.length] = byte;
  if (m.splice) {
    const at = m.splice[0] % (b.length + 1);
    b = Buffer.concat([b.subarray(0, at), Buffer.from(m.splice[1]), b.subarray(at)]);
  }
  if (m.cut !== null) b = b.subarray(0, m.cut % (b.length + 1));
  return b;
}

describe('manifest parsers under random input', () => {
  for (const t of targets) {
    it(`${t.scanner.id} ${t.path.split('/').pop()}: mutated real files`, async () => {
      await fc.assert(fc.asyncProperty(mutation, (m) => parseOnce(t, mutate(t.seed, m))), { numRuns: 150 });
    });
  }

  it('random bytes and random text', async () => {
    for (const t of targets) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u)), fc.string({ maxLength: 512 }).map((s) => Buffer.from(s))), (b) =>
          parseOnce(t, b),
        ),
        { numRuns: 40 },
      );
    }
  });

  it('random JSON values of the right top-level shapes', async () => {
    const jsonTargets = targets.filter((t) => t.path.endsWith('.json') || t.path.endsWith('.lock') === false);
    const value = fc.jsonValue({ maxDepth: 4 });
    const shaped = fc.oneof(
      value,
      fc.record({ lockfileVersion: fc.oneof(fc.constant(1), fc.constant(2), fc.constant(3), value), packages: value, dependencies: value }),
      fc.record({ packages: fc.dictionary(fc.string(), fc.oneof(value, fc.record({ version: value, link: value, dev: value, name: value }))) }),
      fc.record({ libraries: fc.dictionary(fc.string(), fc.record({ type: fc.oneof(fc.constant('package'), value) })) }),
      fc.record({ default: value, develop: value, 'packages-dev': value, 'dev-package-names': value }),
    );
    for (const t of jsonTargets) {
      await fc.assert(fc.asyncProperty(shaped, (v) => parseOnce(t, Buffer.from(JSON.stringify(v)))), { numRuns: 60 });
    }
  });

  it('deeply nested input does not overflow the stack', async () => {
    const deep = `${'{"dependencies":{"a":{"version":"1.0.0",'.repeat(2000)}"x":1${'}}}'.repeat(2000)}`;
    const t = targets[1] as Target;
    await parseOnce(t, Buffer.from(deep));
    const yamlDeep = `lockfileVersion: '9.0'\npackages:\n${'  '.repeat(1)}a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    await parseOnce(targets[5] as Target, Buffer.from(yamlDeep));
    const tomlDeep = `[[package]]\nname = "a"\nversion = "1"\nx = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    await parseOnce(targets[18] as Target, Buffer.from(tomlDeep));
    const jsonDeep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    await parseOnce(targets[16] as Target, Buffer.from(jsonDeep));
  });

  // Inputs built to make a careless parser quadratic or recursive: each must come back (with packages or
  // a clear error) within the test timeout.
  it('adversarial one-line and deeply nested files come back', async () => {
    const byId = (id: string, name: string) => targets.find((t) => t.scanner.id === id && t.path.endsWith(name)) as Target;
    const cases: [Target, string][] = [
      [byId('gemspec', '.gemspec'), 'Gem::Specification.new do '.repeat(300_000)],
      [byId('gemspec', '.gemspec'), `Gem::Specification.new do |s| ${'s.name = "a" ; '.repeat(300_000)}`],
      [byId('gemspec', '.gemspec'), `Gem::Specification.new do |s|\n s.licenses = [${'"MIT", '.repeat(300_000)}]\n`],
      [byId('npm-lock', 'pnpm-lock.yaml'), `lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {cpu: [${'x,'.repeat(1_000_000)}x]}\n`],
      [byId('npm-lock', 'pnpm-lock.yaml'), `lockfileVersion: '9.0'\npackages:\n${'  '.repeat(200_000)}a: 1\n`],
      [byId('npm-lock', 'yarn.lock'), `"a@^1", ${'"a@^1", '.repeat(500_000)}:\n  version "1.0.0"\n`],
      [byId('gemfile-lock', 'Gemfile.lock'), `GEM\n  specs:\n    ${'a'.repeat(4_000_000)} (${'1'.repeat(1_000_000)}\n`],
      [byId('npm', 'package.json'), `{"name":"a","version":"1.0.0","license":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
      [byId('python', 'METADATA'), `Name: a\nVersion: 1\n${' x\n'.repeat(1_000_000)}`],
    ];
    for (const [t, text] of cases) await parseOnce(t, Buffer.from(text));
  });
});
