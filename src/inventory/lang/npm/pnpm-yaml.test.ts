import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../../test/support/paths.js';
import { NotSimpleYaml, readSimpleYaml } from './pnpm-yaml.js';

/** The `yaml` library's reading, with numbers as the strings they were written as (the fast reader keeps plain scalars as text). */
function library(text: string): unknown {
  const docs = parseAllDocuments(text).map((d) => {
    const value: unknown = d.toJS();
    return value;
  });
  return JSON.parse(JSON.stringify(docs, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v))) as unknown;
}

describe('readSimpleYaml', () => {
  it('reads every pnpm fixture exactly as the yaml library does', () => {
    for (const f of ['pnpm', 'pnpm-v6', 'pnpm-v9', 'pnpm-v9-snapshots', 'pnpm-multi-doc', 'pnpm-v5-peer-suffix', 'pnpm-remote']) {
      const text = readFileSync(sharedData('fixtures', 'syft', 'javascript', 'testdata', f, 'pnpm-lock.yaml'), 'utf8');
      expect(readSimpleYaml(text)).toEqual(library(text));
    }
  });

  it('keeps versions as written, reads quoted keys, flow collections, sequences and comments', () => {
    const text = [
      "lockfileVersion: '6.0' # comment",
      'packages:',
      "  '/@scope/a@1.10':",
      '    version: 1.10',
      "    engines: {node: '>=8', npm: \"9\"}",
      '    cpu: [x64, arm64]',
      '    transitivePeerDependencies:',
      '      - supports-color',
      '      - "quoted"',
      '    list:',
      '    - same-indent item',
      '    dev: true',
      '    empty:',
      '',
    ].join('\r\n');
    expect(readSimpleYaml(text)).toEqual([
      {
        lockfileVersion: '6.0',
        packages: {
          '/@scope/a@1.10': {
            version: '1.10',
            engines: { node: '>=8', npm: '9' },
            cpu: ['x64', 'arm64'],
            transitivePeerDependencies: ['supports-color', 'quoted'],
            list: ['same-indent item'],
            dev: true,
            empty: null,
          },
        },
      },
    ]);
  });

  it('leaves anything outside the subset to the yaml library', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: |\n  text\n', 'a: !!str 1\n', '? complex\n: key\n', 'a: "multi\n  line"\n', 'a:\n  - b: 1\n', '%YAML 1.2\n---\na: 1\n']) {
      expect(() => readSimpleYaml(text)).toThrow(NotSimpleYaml);
    }
  });

  it('agrees with the yaml library on random block documents it accepts', () => {
    const scalar = fc.oneof(fc.stringMatching(/^[a-z@/][a-z0-9@/._()-]{0,12}$/), fc.constantFrom('true', 'false', '1.0.0', "'9.0'", '{}', '[a, b]', '{x: 1, y: [2]}'));
    const node: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      map: fc.dictionary(fc.stringMatching(/^[a-z@/][a-z0-9@/._-]{0,10}$/), fc.oneof({ depthSize: 'small' }, scalar, tie('map')), { maxKeys: 4 }),
    })).map;
    fc.assert(
      fc.property(node, (doc) => {
        const text = stringify(doc);
        let mine: unknown;
        try {
          mine = readSimpleYaml(text);
        } catch (e) {
          if (e instanceof NotSimpleYaml) return;
          throw e;
        }
        expect(mine).toEqual(library(text));
      }),
      { numRuns: 300 },
    );
  });
});
