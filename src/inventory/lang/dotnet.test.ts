import { describe, expect, it } from 'vitest';
import { dotnetScanner } from './dotnet.js';
import { expectedRows, fixture, ids, scan } from './testing/fixtures.js';

describe('.NET deps.json', () => {
  it('go-dep-parser ExampleApp1.deps.json (EXPECTED.tsv): the NuGet package, not the application project', async () => {
    const rows = expectedRows('go-dep-parser', 'dotnet-core_deps', 'EXPECTED.tsv');
    const inv = await scan([dotnetScanner], [{ path: 'app/ExampleApp1.deps.json', content: fixture('go-dep-parser', 'dotnet-core_deps', 'ExampleApp1.deps.json') }]);
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual(rows.map((r) => `${r.name}@${r.version}`));
    expect(inv.packages[0]).toMatchObject({ ecosystem: 'NuGet', purl: 'pkg:nuget/Newtonsoft.Json@13.0.1', foundBy: 'dotnet', paths: ['app/ExampleApp1.deps.json'] });
  });

  /**
   * Deliberate differences from the derived syft rows: `project` libraries
   * (MyApp, TestLibrary, TestCommon) are the application's own code and
   * `referenceassembly` libraries come with the .NET SDK; neither is a NuGet
   * package.
   */
  it('syft deps.json fixtures (EXPECTED.tsv): every `package` library', async () => {
    const rows = expectedRows('syft', 'dotnet', 'EXPECTED.tsv').filter((r) => r.kind === 'nuget');
    for (const file of [...new Set(rows.map((r) => r.file as string))]) {
      const inv = await scan([dotnetScanner], [{ path: `app/${file.split('/').pop()}`, content: fixture('syft', file) }]);
      expect(inv.skipped).toEqual([]);
      const expected = rows.filter((r) => r.file === file && r.extra === 'type=package').map((r) => `${r.name}@${r.version}`).sort();
      expect(ids(inv.packages)).toEqual(expected);
    }
  });

  it('a single-file app deps.json (syft pe fixture) and a BOM are read', async () => {
    const content = fixture('syft', 'internal/dotnet/pe/testdata/net8-app-single-file.deps.json');
    const inv = await scan([dotnetScanner], [{ path: 'app/app.deps.json', content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), content]) }]);
    expect(inv.skipped).toEqual([]);
    const libs = Object.entries((JSON.parse(content.toString()) as { libraries: Record<string, { type: string }> }).libraries);
    expect(ids(inv.packages)).toEqual(libs.filter(([, v]) => v.type === 'package').map(([k]) => k.replace('/', '@')).sort());
  });

  it('a garbled deps.json is skipped with a reason', async () => {
    const inv = await scan([dotnetScanner], [
      { path: 'app/a.deps.json', content: '{"libraries": ' },
      { path: 'app/b.deps.json', content: '{"targets": {}}' },
    ]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/^deps\.json is not valid JSON/), 'deps.json has no "libraries" object']);
  });
});

describe('NuGet packages.lock.json (syft fixture, EXPECTED.tsv)', () => {
  it('one package per name and version across target frameworks, direct when any framework says Direct', async () => {
    const rows = expectedRows('syft', 'dotnet', 'EXPECTED.tsv').filter((r) => r.kind === 'nuget-lock');
    const inv = await scan([dotnetScanner], [{ path: 'src/app/packages.lock.json', content: fixture('syft', 'dotnet/testdata/packages.lock.json') }]);
    expect(inv.skipped).toEqual([]);
    expect(ids(inv.packages)).toEqual([...new Set(rows.map((r) => `${r.name}@${r.version}`))].sort());
    expect(inv.packages.find((p) => p.name === 'bootstrap')?.metadata).toEqual({ indirect: false, framework: 'net8.0,.netcore2.0' });
    expect(inv.packages.find((p) => p.name === 'Microsoft.Extensions.Options')?.metadata).toEqual({ indirect: true, framework: 'net8.0' });
  });
});
