import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { type Zippable, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isStrataError } from '../../core/errors.js';
import type { Package } from '../../core/package.js';
import { sharedData } from '../../../test/support/paths.js';
import { inventoryFromFiles } from '../from-files.js';
import { createJavaScanner, javaScanner, readJavaArchive } from './java.js';

const JAR_DIR = sharedData('fixtures', 'go-dep-parser', 'java-jar');
const jarFixture = (name: string) => readFileSync(path.join(JAR_DIR, name));

/** One row per (name, version, path): merged packages are spread back out. */
function triples(pkgs: Package[]): string[] {
  return pkgs.flatMap((p) => p.paths.map((at) => `${p.name}\t${p.version}\t${at}`)).sort();
}

const pomProperties = (g: string, a: string, v: string) => new TextEncoder().encode(`groupId=${g}\nartifactId=${a}\nversion=${v}\n`);

describe('java scanner on the go-dep-parser jars and wars (EXPECTED.tsv)', () => {
  it('finds exactly the expected artifacts, offline answers for the two that need Maven Central', async () => {
    const files = readdirSync(JAR_DIR).filter((f) => /\.(jar|war)$/.test(f));
    const inv = await inventoryFromFiles(
      [javaScanner],
      files.map((f) => ({ path: `app/${f}`, content: jarFixture(f) })),
    );
    expect(inv.skipped).toEqual([]);
    const rows = readFileSync(path.join(JAR_DIR, 'EXPECTED.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('case\t'))
      .map((l) => l.split('\t') as [string, string, string, string]);
    const expected = rows
      // Online-only answers (SHA-1 search and artifactId search at Maven Central): Strata has no such lookup.
      .filter(([kase]) => kase !== 'wantSHA1' && kase !== 'wantHeuristic')
      .map(([, name, version, at]) => `${name}\t${version}\tapp/${at.replace(/\.(jar|war)\//g, '.$1!/')}`);
    // Offline, the file name is all heuristic-1.0.0-SNAPSHOT.jar has: no groupId.
    expected.push('heuristic\t1.0.0-SNAPSHOT\tapp/heuristic-1.0.0-SNAPSHOT.jar');
    expect(triples(inv.packages)).toEqual(expected.sort());
  });

  it('marks how each artifact was identified and builds Maven purls', async () => {
    const inv = await inventoryFromFiles(
      [javaScanner],
      ['maven.war', 'test.jar', 'heuristic-1.0.0-SNAPSHOT.jar'].map((f) => ({ path: `app/${f}`, content: jarFixture(f) })),
    );
    const get = (name: string) => inv.packages.find((p) => p.name === name);
    expect(get('com.fasterxml.jackson.core:jackson-databind')).toMatchObject({
      ecosystem: 'Maven',
      kind: 'lang',
      purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10.6',
      paths: ['app/maven.war!/WEB-INF/lib/jackson-databind-2.9.10.6.jar'],
      foundBy: 'java',
      metadata: {
        groupId: 'com.fasterxml.jackson.core',
        artifactId: 'jackson-databind',
        evidence: 'pom.properties',
        entry: 'META-INF/maven/com.fasterxml.jackson.core/jackson-databind/pom.properties',
      },
    });
    expect(get('com.fasterxml.jackson.core:jackson-databind')?.cpe).toBeUndefined();
    expect(get('org.springframework:Spring Framework')).toMatchObject({
      version: '2.5.6.SEC03',
      purl: 'pkg:maven/org.springframework/Spring%20Framework@2.5.6.SEC03',
      metadata: { evidence: 'manifest', heuristic: true, entry: 'META-INF/MANIFEST.MF' },
    });
    expect(get('heuristic')).toMatchObject({ purl: 'pkg:generic/heuristic@1.0.0-SNAPSHOT', metadata: { evidence: 'filename', heuristic: true } });
  });
});

/** syft's jar-metadata folders are unzipped jars: zip each one into a real jar. */
function zipDirectory(dir: string): Buffer {
  const tree: Zippable = {};
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else tree[`${prefix}${name}`] = readFileSync(full);
    }
  };
  walk(dir, '');
  return Buffer.from(zipSync(tree));
}

describe('java scanner on syft jar-metadata layouts, zipped into real jars', () => {
  const base = sharedData('fixtures', 'syft', 'java', 'testdata', 'jar-metadata');
  const jars: Array<{ file: string; dir: string }> = [
    ...readdirSync(base)
      .filter((n) => n !== 'README.md' && n !== 'jenkins-plugins')
      .map((n) => ({ file: `${n}.jar`, dir: n })),
    { file: 'gradle.hpi', dir: 'jenkins-plugins/gradle/2.11' },
  ];

  it('identifies each archive, exactly as pom.properties, pom.xml or the manifest say', async () => {
    const inv = await inventoryFromFiles(
      [javaScanner],
      jars.map(({ file, dir }) => ({ path: `opt/lib/${file}`, content: zipDirectory(path.join(base, dir)) })),
    );
    expect(inv.skipped).toEqual([]);
    const got = inv.packages.flatMap((p) => p.paths.map((at) => `${at.slice('opt/lib/'.length)} ${p.name}@${p.version} ${String(p.metadata?.evidence)}`)).sort();
    expect(got).toEqual(
      [
        'api-all-2.0.0-sources.jar org.apache.directory.api:api-all@2.0.0 pom.properties',
        'api-all-2.0.0-sources.jar org.apache.directory.api:api-asn1-api@2.0.0 pom.properties',
        'multiple-matching-2.11.5.jar org.multiple:multiple-matching-1@2.11.5 pom.properties',
        'multiple-matching-2.11.5.jar org.multiple:multiple-matching-2@2.11.5 pom.properties',
        'multiple-matching-2.11.5.jar org.multiple:multiple-matching-3@2.11.5 pom.properties',
        'opensaml-core-3.4.6.jar org.opensaml:opensaml-core@3.4.6 pom.properties',
        'org.multiple-thename.jar com.multiple:thename@10.11.12 pom.properties',
        'org.multiple-thename.jar org.multiple:thename@10.11.12 pom.properties',
        // No pom.properties: the project's own pom.xml states the coordinates.
        'jackson-core-2.15.2.jar com.fasterxml.jackson.core:jackson-core@2.15.2 pom.xml',
        'com.fasterxml.jackson.core.jackson-core-2.15.2.jar com.fasterxml.jackson.core:jackson-core@2.15.2 pom.xml',
        'micronaut-aop-4.9.11.jar io.micronaut:micronaut-aop@4.9.11 pom.xml',
        // The pom.xml version is a property of the (absent) parent POM: the version comes from the file name.
        'commons-lang3-3.12.0.jar org.apache.commons:commons-lang3@3.12.0 pom.xml+filename',
        // Only a manifest, with display names: reported, marked heuristic.
        'spring-instrumentation-4.3.0-1.0.jar New Relic:com.newrelic.instrumentation.spring-4.3.0@1.0 manifest',
        'gradle.hpi org.jenkins-ci.plugins:gradle@2.11 jenkins-manifest',
      ].sort(),
    );
    // Every row syft's EXPECTED.tsv derives from these layouts is among them.
    const syftRows = readFileSync(sharedData('fixtures', 'syft', 'java', 'EXPECTED.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('java/testdata/jar-metadata/'))
      .map((l) => l.split('\t'))
      .map(([file, , name, version]) => `${(file as string).split('/')[3]}.jar ${name}@${version} pom.properties`);
    expect(syftRows.length).toBe(8);
    for (const row of syftRows) expect(got).toContain(row);
    expect(inv.packages.filter((p) => p.metadata?.heuristic).map((p) => p.name).sort()).toEqual(['New Relic:com.newrelic.instrumentation.spring-4.3.0', 'org.apache.commons:commons-lang3']);
  });
});

describe('java scanner on bad and hostile archives', () => {
  const goodJar = () => zipSync({ 'META-INF/maven/org.ok/good/pom.properties': pomProperties('org.ok', 'good', '1.0') });

  it('skips a file that is not a zip, naming why', async () => {
    const inv = await inventoryFromFiles([javaScanner], [{ path: 'srv/broken.jar', content: 'this is not a zip archive at all' }]);
    expect(inv.packages).toEqual([]);
    expect(inv.skipped).toEqual([
      { scanner: 'java', path: 'srv/broken.jar', layer: 'sha256:in-memory', reason: 'not a readable Java archive: not a zip archive (no end of central directory record)', incomplete: true },
    ]);
  });

  it('warns about one corrupt nested jar, names it, and reads the rest', async () => {
    const war = zipSync({
      'WEB-INF/lib/broken-1.0.jar': new TextEncoder().encode('garbage'),
      'WEB-INF/lib/good-1.0.jar': goodJar(),
      'META-INF/maven/org.ok/app/pom.properties': new TextEncoder().encode('groupId=org.ok\nartifactId=app\n'),
    });
    const inv = await inventoryFromFiles([javaScanner], [{ path: 'srv/app.war', content: Buffer.from(war) }]);
    expect(triples(inv.packages)).toEqual(['org.ok:good\t1.0\tsrv/app.war!/WEB-INF/lib/good-1.0.jar']);
    expect(inv.skipped.map((s) => `${s.path}: ${s.reason}`)).toEqual([
      'srv/app.war: META-INF/maven/org.ok/app/pom.properties: pom.properties lacks groupId, artifactId or version',
      'srv/app.war: WEB-INF/lib/broken-1.0.jar: not a readable archive: not a zip archive (no end of central directory record)',
    ]);
  });

  it('opens archives nested to the depth limit and says where it stopped', () => {
    let inner: Uint8Array = zipSync({ 'META-INF/maven/d/level5/pom.properties': pomProperties('d', 'level5', '5') });
    for (let level = 4; level >= 0; level--) {
      inner = zipSync({ 'lib/inner.jar': [inner, { level: 0 }], [`META-INF/maven/d/level${level}/pom.properties`]: pomProperties('d', `level${level}`, String(level)) });
    }
    const warnings: string[] = [];
    const scanner = { warn: (w: string) => warnings.push(w) };
    const all = readJavaArchive(Buffer.from(inner), 'outer.jar', scanner);
    expect(all.map((a) => `${a.artifactId} ${a.archive}`)).toEqual([
      'level0 ',
      'level1 lib/inner.jar',
      'level2 lib/inner.jar!/lib/inner.jar',
      'level3 lib/inner.jar!/lib/inner.jar!/lib/inner.jar',
      'level4 lib/inner.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar',
      'level5 lib/inner.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar!/lib/inner.jar',
    ]);
    expect(warnings).toEqual([]);
    const limited = readJavaArchive(Buffer.from(inner), 'outer.jar', scanner, { maxDepth: 2, maxReadBytes: 1 << 20, maxArchives: 100, maxMetadataBytes: 1 << 16, maxMetadataTotalBytes: 1 << 20 });
    expect(limited.map((a) => a.artifactId)).toEqual(['level0', 'level1', 'level2']);
    expect(warnings).toEqual(['lib/inner.jar!/lib/inner.jar!/lib/inner.jar: archives nested deeper than 2 levels are not opened']);
  });

  it('stops inflating at the byte budget (zip bomb) and still reports what it read first', async () => {
    // 8 MiB stored inside the nested jar, which the war deflates to a few KiB.
    const bomb = zipSync({ 'filler.bin': [new Uint8Array(8 * 1024 * 1024), { level: 0 }] });
    const war = zipSync({ 'WEB-INF/lib/a-good-1.0.jar': goodJar(), 'WEB-INF/lib/bomb.jar': bomb, 'WEB-INF/lib/z-after-1.0.jar': goodJar() });
    const scanner = createJavaScanner({ maxDepth: 4, maxReadBytes: 1024 * 1024, maxArchives: 100, maxMetadataBytes: 1 << 16, maxMetadataTotalBytes: 1 << 20 });
    const inv = await inventoryFromFiles([scanner], [{ path: 'srv/bomb.war', content: Buffer.from(war) }]);
    expect(triples(inv.packages)).toEqual(['org.ok:good\t1.0\tsrv/bomb.war!/WEB-INF/lib/a-good-1.0.jar', 'org.ok:good\t1.0\tsrv/bomb.war!/WEB-INF/lib/z-after-1.0.jar']);
    expect(inv.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/^WEB-INF\/lib\/bomb\.jar: not read, its \d+ bytes would pass the 1048576-byte budget for one file \(zip bomb guard\)$/),
    ]);
  });

  it('caps the metadata it parses per file, naming the first entry left out', () => {
    const padding = '#'.repeat(100_000);
    const tree: Record<string, Uint8Array> = {};
    for (let i = 0; i < 20; i++) tree[`META-INF/maven/g/a${String(i).padStart(2, '0')}/pom.properties`] = new TextEncoder().encode(`${padding}\ngroupId=g\nartifactId=a${i}\nversion=1\n`);
    const warnings: string[] = [];
    const found = readJavaArchive(Buffer.from(zipSync(tree)), 'many.jar', { warn: (w) => warnings.push(w) }, {
      maxDepth: 4,
      maxReadBytes: 1 << 30,
      maxArchives: 100,
      maxMetadataBytes: 1 << 20,
      maxMetadataTotalBytes: 1 << 20,
    });
    expect(found.length).toBe(10);
    expect(warnings).toEqual([
      `META-INF/maven/g/a10/pom.properties: not read, its ${tree['META-INF/maven/g/a10/pom.properties']?.length} bytes would pass the 1048576-byte metadata budget for one file (zip bomb guard)`,
      '9 more entries not read for the same reason',
    ]);
  });

  it('lists at most 20 problems per file and counts the rest', () => {
    const tree: Record<string, Uint8Array> = {};
    for (let i = 0; i < 500; i++) tree[`lib/broken-${String(i).padStart(3, '0')}.jar`] = new TextEncoder().encode('not a zip');
    const warnings: string[] = [];
    expect(readJavaArchive(Buffer.from(zipSync(tree)), 'many.war', { warn: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings.length).toBe(21);
    expect(warnings[0]).toBe('lib/broken-000.jar: not a readable archive: not a zip archive (no end of central directory record)');
    expect(warnings[20]).toBe('480 more problems in this file not listed');
  });

  it('does not fan out over directory entries that all point at the same nested archive', () => {
    /** A one-entry zip whose central directory lists that entry `times` times (same local header). */
    const fanOut = (zip: Uint8Array, times: number): Buffer => {
      const buf = Buffer.from(zip);
      const eocd = buf.length - 22;
      const cdSize = buf.readUInt32LE(eocd + 12);
      const cdOffset = buf.readUInt32LE(eocd + 16);
      const cd = buf.subarray(cdOffset, cdOffset + cdSize);
      const end = Buffer.from(buf.subarray(eocd));
      end.writeUInt16LE(times, 8);
      end.writeUInt16LE(times, 10);
      end.writeUInt32LE(cdSize * times, 12);
      return Buffer.concat([buf.subarray(0, cdOffset), ...Array<Buffer>(times).fill(cd), end]);
    };
    let level: Uint8Array = zipSync({ 'META-INF/maven/d/leaf/pom.properties': pomProperties('d', 'leaf', '1') });
    // Ten entries per level, eight levels: 10^8 archives if each were opened.
    for (let i = 0; i < 8; i++) level = fanOut(zipSync({ 'lib/x.jar': [level, { level: 0 }] }), 10);
    const warnings: string[] = [];
    const found = readJavaArchive(Buffer.from(level), 'fan.jar', { warn: (w) => warnings.push(w) });
    expect(found.length).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(10_000);
    expect(warnings).toEqual([
      expect.stringMatching(/: not opened, more than 10000 nested archives in one file$/),
      expect.stringMatching(/^\d+ more entries not read for the same reason$/),
    ]);
  });

  it('is not fooled by a nested archive that claims a small size but inflates further', () => {
    // fflate writes the true size; rewrite the central directory entry's uncompressed size to lie.
    const war = Buffer.from(zipSync({ 'WEB-INF/lib/liar.jar': zipSync({ 'x.bin': new Uint8Array(100_000) }) }));
    const cd = war.indexOf(Buffer.from([0x50, 0x4b, 1, 2]));
    war.writeUInt32LE(10, cd + 24);
    const warnings: string[] = [];
    expect(readJavaArchive(war, 'liar.war', { warn: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toEqual(['WEB-INF/lib/liar.jar: inflates past its declared 10 bytes']);
  });

  it('random mutations of real archives never throw anything but a clean error', () => {
    const samples = [jarFixture('nested.jar'), jarFixture('test.jar'), Buffer.from(zipSync({ 'WEB-INF/lib/good-1.0.jar': goodJar() }))];
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 }),
        fc.option(fc.nat(), { nil: undefined }),
        (sample, edits, cut) => {
          const copy = Buffer.from(sample);
          for (const [at, byte] of edits) copy[at % copy.length] = byte;
          const input = cut === undefined ? copy : copy.subarray(0, cut % (copy.length + 1));
          try {
            const found = readJavaArchive(input, 'x.jar', { warn: (w) => expect(typeof w).toBe('string') });
            for (const a of found) expect(a.artifactId.length).toBeGreaterThan(0);
          } catch (e) {
            if (!isStrataError(e)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
