import { describe, expect, it } from 'vitest';
import { createGemfileLockScanner, gemfileLockScanner, gemspecScanner } from './ruby.js';
import { parseGemspec, rubyString } from './ruby/gemspec.js';
import { expectedRows, fixture, ids, scan } from './testing/fixtures.js';

const rows = expectedRows('syft', 'ruby', 'EXPECTED.tsv');

describe('gemspecs (syft fixtures, EXPECTED.tsv)', () => {
  it('installed specifications give the expected gems, licences and purls', async () => {
    const specRows = rows.filter((r) => r.kind === 'gem');
    const inv = await scan(
      [gemspecScanner],
      specRows.map((r) => ({ path: `usr/lib/ruby/gems/3.1.0/specifications/${(r.file as string).split('/').pop()}`, content: fixture('syft', r.file as string) })),
    );
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(specRows.map((r) => `${r.name}@${r.version}`).sort());
    const formatador = inv.packages.find((p) => p.name === 'formatador');
    expect(formatador).toMatchObject({ ecosystem: 'RubyGems', purl: 'pkg:gem/formatador@1.1.0', licenses: ['MIT'], foundBy: 'gemspec' });
    expect(formatador?.metadata).toBeUndefined();
  });

  it('default gems are marked; gemspecs outside specifications/ are source files, not installed gems', async () => {
    const content = fixture('syft', 'ruby/testdata/bundler.gemspec');
    const inv = await scan([gemspecScanner], [
      { path: 'usr/lib/ruby/gems/3.1.0/specifications/default/bundler-2.1.4.gemspec', content },
      { path: 'usr/lib/ruby/gems/3.1.0/gems/bundler-2.1.4/bundler.gemspec', content },
    ]);
    expect(inv.packages).toHaveLength(1);
    expect(inv.packages[0]).toMatchObject({ name: 'bundler', version: '2.1.4', metadata: { defaultGem: true } });
  });

  it('reads the literal forms RubyGems and people write, without evaluating Ruby', () => {
    expect(parseGemspec('Gem::Specification.new do |spec|\n  spec.name    = %q{rake}\n  spec.version = Gem::Version.new("13.0.6")\n  spec.license = \'MIT\'\nend\n')).toEqual({
      name: 'rake', version: '13.0.6', licenses: ['MIT'],
    });
    expect(parseGemspec('Gem::Specification.new { |g| g.name = "nokogiri".freeze; g.version = "1.15.4".freeze\n g.platform = "x86_64-linux".freeze\n}')).toEqual({
      name: 'nokogiri', version: '1.15.4', platform: 'x86_64-linux',
    });
    expect(parseGemspec('Gem::Specification.new("foo", "1.2.3") do |s|\n  s.summary = "x"\nend')).toEqual({ name: 'foo', version: '1.2.3' });
    // A computed version is not guessed; RubyGems' stub header names it.
    expect(parseGemspec('# stub: bar 0.4.0 ruby lib\nGem::Specification.new do |s|\n  s.name = "bar"\n  s.version = Bar::VERSION\nend')).toEqual({ name: 'bar', version: '0.4.0' });
    expect(parseGemspec('Gem::Specification.new do |s|\n  s.name = "baz"\n  s.version = Baz::VERSION\nend')).toEqual({ problem: 'baz has no literal version' });
    expect(parseGemspec('Gem::Specification.new do |s|\n  s.name = "#{x}-y"\nend')).toEqual({ problem: 'no literal name in the Gem::Specification' });
    expect(parseGemspec('puts "hello"')).toEqual({ problem: 'not a Gem::Specification' });
    expect(rubyString('"Andr\\u00E9".freeze')).toEqual({ value: 'André', length: 12 });
  });

  it('an unreadable gemspec is skipped with a reason naming it', async () => {
    const inv = await scan([gemspecScanner], [{ path: 'var/lib/gems/3.1.0/specifications/x-1.0.gemspec', content: 'Gem::Specification.new do |s|\n  s.version = "1.0"\nend\n' }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]).toMatchObject({ scanner: 'gemspec', path: 'var/lib/gems/3.1.0/specifications/x-1.0.gemspec', reason: 'x-1.0.gemspec: no literal name in the Gem::Specification' });
  });
});

describe('Gemfile.lock (syft fixtures, EXPECTED.tsv)', () => {
  /**
   * Deliberate differences from the derived rows: `bad-entry` is listed under
   * a made-up BAD-SECTION, not a gem source; `google-cloud-errors` comes from
   * a PATH source (`remote: ../google-cloud-errors`), the project's own local
   * code, not a registry gem.
   */
  it('gems of the GEM and GIT sections, with DEPENDENCIES as the direct ones', async () => {
    const lockRows = rows.filter((r) => r.kind === 'gem-lock' && r.name !== 'bad-entry' && r.name !== 'google-cloud-errors');
    const inv = await scan([gemfileLockScanner], [{ path: 'srv/app/Gemfile.lock', content: fixture('syft', 'ruby/testdata/Gemfile.lock') }]);
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(lockRows.map((r) => `${r.name}@${r.version}`).sort());
    expect(inv.packages.find((p) => p.name === 'rails')?.metadata).toEqual({ indirect: false });
    expect(inv.packages.find((p) => p.name === 'turbolinks')?.metadata).toEqual({ indirect: false });
    expect(inv.packages.find((p) => p.name === 'actionview')?.metadata).toEqual({ indirect: true });
    expect(inv.packages.find((p) => p.name === 'rack')?.purl).toBe('pkg:gem/rack@1.5.2');
  });

  it('platform gems keep the platform as a purl qualifier; gems’ own lockfiles are not read', async () => {
    const text = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n';
    const inv = await scan([createGemfileLockScanner({ includeDev: true })], [
      { path: 'app/Gemfile.lock', content: text },
      { path: 'usr/local/bundle/gems/puma-6.4.0/Gemfile.lock', content: text.replace('racc (1.7.1)', 'racc (9.9.9)') },
      { path: 'srv/app/vendor/bundle/ruby/3.2.0/bundler/gems/rails-8f3a2c1/Gemfile.lock', content: text.replace('racc (1.7.1)', 'racc (9.9.8)') },
    ]);
    expect(inv.packages.map((p) => p.purl).sort()).toEqual(['pkg:gem/nokogiri@1.15.4?platform=x86_64-linux', 'pkg:gem/racc@1.7.1']);
  });

  it('a file that is not a Gemfile.lock is skipped with a reason', async () => {
    const inv = await scan([gemfileLockScanner], [{ path: 'app/Gemfile.lock', content: '{"not": "a lockfile"}\n' }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped[0]?.reason).toMatch(/^Gemfile\.lock has none of the Bundler sections/);
  });
});
