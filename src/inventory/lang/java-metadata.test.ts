import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { decodeText, manifestValue, parseArchiveFileName, parseManifest, parseProperties, pomPropertiesCoordinates, pomXmlCoordinates } from './java-metadata.js';

const javaData = (...parts: string[]) => readFileSync(sharedData('fixtures', 'syft', 'java', 'testdata', ...parts), 'utf8');

describe('pom.properties (syft fixtures, rows of syft/java/EXPECTED.tsv)', () => {
  const rows = readFileSync(sharedData('fixtures', 'syft', 'java', 'EXPECTED.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('java/testdata/pom/') && l.includes('.pom.properties\t'))
    .map((l) => l.split('\t'));
  it('has the five variants', () => expect(rows.length).toBe(5));
  for (const [file, , name, version] of rows) {
    it(`${file} → ${name} ${version}`, () => {
      const c = pomPropertiesCoordinates(javaData(...(file as string).split('/').slice(2)));
      expect(c && `${c.groupId}:${c.artifactId}`).toBe(name);
      expect(c?.version).toBe(version);
    });
  }

  it('follows java.util.Properties: separators, escapes, continuations, comments', () => {
    const p = parseProperties('# c\n! c\n  a = 1\nb:2\nc 3\nd\\:e=4\nlong=x\\\n    y\\\n z\nu=\\u00e9\\t!\nempty\n');
    expect(Object.fromEntries(p)).toEqual({ a: '1', b: '2', c: '3', 'd:e': '4', long: 'xyz', u: 'é\t!', empty: '' });
    expect(pomPropertiesCoordinates('groupId=g\nartifactId=a\n')).toBeUndefined();
  });

  it('stays linear on pathological continuations (4 MiB of them)', () => {
    const props = parseProperties(`k=${'ab\\\n'.repeat(1 << 20)}end`);
    expect(props.get('k')?.length).toBe(2 * (1 << 20) + 3);
    const mf = parseManifest(`K: v\n${' x\n'.repeat(1 << 20)}`);
    expect(mf.main.get('K')?.length).toBe(1 + (1 << 20));
  });

  it('decodes ISO-8859-1 when the bytes are not UTF-8', () => {
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBe('café');
    expect(decodeText(Buffer.from('café', 'utf8'))).toBe('café');
  });
});

describe('MANIFEST.MF (syft fixtures)', () => {
  const parse = (name: string) => {
    const m = parseManifest(javaData('manifest', name));
    return { main: Object.fromEntries(m.main), sections: m.sections.map((s) => Object.fromEntries(s)) };
  };

  it('reads the main section and named sections', () => {
    expect(parse('small')).toEqual({ main: { 'Manifest-Version': '1.0' }, sections: [] });
    expect(parse('standard-info').main).toEqual({
      'Manifest-Version': '1.0',
      Name: 'the-best-name',
      'Specification-Title': 'the-spec-title',
      'Specification-Vendor': 'the-spec-vendor',
      'Specification-Version': 'the-spec-version',
      'Implementation-Title': 'the-impl-title',
      'Implementation-Vendor': 'the-impl-vendor',
      'Implementation-Version': 'the-impl-version',
    });
    expect(parse('extra-info')).toEqual({
      main: { 'Manifest-Version': '1.0', 'Archiver-Version': 'Plexus Archiver', 'Created-By': 'Apache Maven 3.6.3' },
      sections: [
        { Name: 'thing-1', 'Built-By': '?' },
        { 'Build-Jdk': '14.0.1', 'Main-Class': 'hello.HelloWorld' },
      ],
    });
  });

  it('skips junk lines and repeated blank lines', () => {
    expect(parse('extra-empty-lines')).toEqual({
      main: { 'Manifest-Version': '1.0', 'Archiver-Version': 'Plexus Archiver', 'Created-By': 'Apache Maven 3.6.3' },
      sections: [{ Name: 'thing-1', 'Built-By': '?' }, { Name: 'thing-2', 'Built-By': 'someone!' }, { Other: 'things' }, { Last: 'item' }],
    });
  });

  it('joins continuation lines, removing exactly the one leading space the JAR spec adds', () => {
    expect(parse('continuation').main['Plugin-ScmUrl']).toBe('https://github.com/jenkinsci/plugin-pom/example-jenkins-plugin');
    expect(parse('version-with-date').main['Implementation-Version']).toBe('1.3 2244 October 5 2005');
    // Syft trims all leading space here; Java's own Manifest removes one.
    expect(parse('leading-space')).toEqual({
      main: { 'Key-keykeykey': 'initialconfig:com   $    # aka not empty line', should: 'parse' },
      sections: [],
    });
  });

  it('reads the first 64 per-entry sections only (a signed jar lists one per class)', () => {
    const signed = `Manifest-Version: 1.0\n\n${Array.from({ length: 5000 }, (_, i) => `Name: c${i}.class\nSHA-256-Digest: x\n`).join('\n')}`;
    const m = parseManifest(signed);
    expect(m.sections.length).toBe(64);
    expect(m.sections[63]?.get('Name')).toBe('c63.class');
  });

  it('looks a header up in the main section first, then in named sections', () => {
    const m = parseManifest(javaData('jar-metadata', 'opensaml-core-3.4.6', 'META-INF', 'MANIFEST.MF'));
    expect(manifestValue(m, 'implementation-version')).toBe('3.4.6');
    expect(manifestValue(m, 'Main-Class')).toBe('org.opensaml.core.Version');
    expect(manifestValue(m, 'Bundle-Version')).toBeUndefined();
  });
});

describe('pom.xml coordinates', () => {
  it('reads the project coordinates, not the parent or dependency ones', () => {
    expect(pomXmlCoordinates(javaData('pom', 'example-java-app-maven', 'pom.xml'))).toEqual({ groupId: 'org.anchore', artifactId: 'example-java-app-maven', version: '0.1.0' });
    expect(pomXmlCoordinates(javaData('pom', 'neo4j-license-maven-plugin.pom.xml'))).toEqual({
      groupId: 'org.neo4j.build.plugins',
      artifactId: 'license-maven-plugin',
      version: '4-SNAPSHOT',
    });
    expect(pomXmlCoordinates(javaData('pom', 'commons-codec.pom.xml'))).toEqual({ groupId: 'commons-codec', artifactId: 'commons-codec', version: '1.11' });
    expect(pomXmlCoordinates(javaData('jar-metadata', 'micronaut-aop-4.9.11', 'META-INF', 'maven', 'io.micronaut', 'micronaut-aop', 'pom.xml'))).toEqual({
      groupId: 'io.micronaut',
      artifactId: 'micronaut-aop',
      version: '4.9.11',
    });
  });

  it('inherits the groupId from the parent and leaves unresolvable versions out', () => {
    expect(pomXmlCoordinates(javaData('pom', 'commons-text-1.10.0', 'pom.xml'))).toEqual({ groupId: 'org.apache.commons', artifactId: 'commons-text', version: '1.10.0' });
    // ${commons.release.version} is defined in the parent POM, which is not in the jar.
    expect(pomXmlCoordinates(javaData('jar-metadata', 'commons-lang3-3.12.0', 'META-INF', 'maven', 'org.apache.commons-lang3', 'pom.xml'))).toEqual({
      groupId: 'org.apache.commons',
      artifactId: 'commons-lang3',
      version: undefined,
    });
  });

  it('resolves properties the POM defines itself, through comments and CDATA', () => {
    const xml = `<?xml version="1.0"?>
      <!-- <version>wrong</version> -->
      <p:project xmlns:p="http://maven.apache.org/POM/4.0.0">
        <p:parent><p:groupId>org.parent</p:groupId><p:version>7</p:version></p:parent>
        <p:artifactId>thing</p:artifactId>
        <p:version>\${revision}\${changelist}</p:version>
        <p:properties><p:revision>1.2.<![CDATA[3]]></p:revision><p:changelist>-&#x41;</p:changelist></p:properties>
        <p:dependencies><p:dependency><p:version>9</p:version></p:dependency></p:dependencies>
      </p:project>`;
    expect(pomXmlCoordinates(xml)).toEqual({ groupId: 'org.parent', artifactId: 'thing', version: '1.2.3-A' });
    expect(pomXmlCoordinates('<project><version>${project.version}</version></project>')?.version).toBeUndefined();
    expect(pomXmlCoordinates('not xml at all')).toBeUndefined();
  });
});

describe('parseArchiveFileName', () => {
  it('splits at the first dash followed by a digit', () => {
    expect(parseArchiveFileName('lib/spring-core-5.3.4-SNAPSHOT.jar')).toEqual({ base: 'spring-core-5.3.4-SNAPSHOT', artifactId: 'spring-core', version: '5.3.4-SNAPSHOT' });
    expect(parseArchiveFileName('commons-lang3-3.12.0.jar')).toMatchObject({ artifactId: 'commons-lang3', version: '3.12.0' });
    expect(parseArchiveFileName('kafka_2.13-3.2.2.jar')).toMatchObject({ artifactId: 'kafka_2.13', version: '3.2.2' });
    expect(parseArchiveFileName('guava-29.0-jre.jar')).toMatchObject({ artifactId: 'guava', version: '29.0-jre' });
    expect(parseArchiveFileName('usr/share/java/commons-lang3.jar')).toEqual({ base: 'commons-lang3', artifactId: 'commons-lang3' });
    expect(parseArchiveFileName('app.WAR')).toEqual({ base: 'app', artifactId: 'app' });
  });
});

describe('text parsers on arbitrary input (fast-check)', () => {
  it('never throw, whatever the text', () => {
    const pieces = fc.constantFrom('<', '>', '</', '<!--', '-->', '<![CDATA[', ']]>', '${', '}', '&#x', ';', '\\', '\n', '\r', ' ', ':', '=', 'project', 'version', 'Name: ', 'u00');
    const text = fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 200 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        parseProperties(t);
        pomPropertiesCoordinates(t);
        manifestValue(parseManifest(t), 'Implementation-Version');
        pomXmlCoordinates(t);
        parseArchiveFileName(t);
      }),
      { numRuns: 3000 },
    );
  });
});
