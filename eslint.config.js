// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Stage boundaries (docs/ARCHITECTURE.md, "Who imports whom"): the folders of
 * src/ each folder may import besides itself. `core` imports nothing; `util`
 * only `core`; `scan`, `cli` and `server` wire stages together; no stage
 * imports `cli` or `server`. Change this table and the map together.
 */
const STAGES = ['image', 'layer', 'inventory', 'cache', 'versioning', 'vulndb', 'match', 'policy', 'report', 'sbom', 'notify'];
const WIRES = ['core', 'util', ...STAGES];
const ALLOWED = {
  core: [],
  util: ['core'],
  image: ['core', 'util'],
  layer: ['core', 'util'],
  inventory: ['core', 'util', 'layer'],
  cache: ['core', 'util', 'inventory'],
  versioning: ['core', 'util'],
  vulndb: ['core', 'util', 'image', 'versioning'],
  match: ['core', 'util', 'versioning', 'vulndb'],
  policy: ['core', 'util'],
  report: ['core', 'util'],
  sbom: ['core', 'util'],
  notify: ['core', 'util'],
  scan: WIRES,
  cli: [...WIRES, 'scan'],
  server: [...WIRES, 'scan'],
};
const FOLDERS = Object.keys(ALLOWED);

/** `../`, `../../` … : a relative import that climbs out of its folder (no stage has a subfolder named like a stage). */
const UP = '(\\.\\./)+';

/**
 * The rules that forbid `folders` to imports starting with `up` (`x2F`: the
 * selector syntax takes no `/` inside a regular expression). Static imports
 * and re-exports go through no-restricted-imports, `import()` through
 * no-restricted-syntax.
 */
function boundary(up, folders, why) {
  const names = folders.join('|');
  const message = `${why} (the stage table in eslint.config.js and docs/ARCHITECTURE.md)`;
  return {
    'no-restricted-imports': ['error', { patterns: [{ regex: `^${up}(src/)?(${names})/`, message }] }],
    'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/^${up.replaceAll('/', '\\x2F')}(src\\x2F)?(${names})\\x2F/]`, message }],
  };
}

const TESTS = ['src/**/*.test.ts', 'src/**/testing/**/*.ts'];
const OUTSIDE = ['cli', 'server'];

const boundaries = [
  ...FOLDERS.map((from) => ({
    files: [`src/${from}/**/*.ts`],
    ignores: TESTS,
    rules: boundary(UP, FOLDERS.filter((f) => f !== from && !ALLOWED[from].includes(f)), `src/${from}/ may import only ${ALLOWED[from].join(', ') || 'itself'}`),
  })),
  // Tests may reach across stages for fixtures and round trips, never into the command line or the server.
  ...FOLDERS.filter((f) => !OUTSIDE.includes(f)).map((from) => ({
    files: TESTS.map((t) => t.replace('src/', `src/${from}/`)),
    rules: boundary(UP, OUTSIDE, `tests of src/${from}/ do not import the command line or the server`),
  })),
  // The library's entry point: every stage, never the command line or the server.
  { files: ['src/index.ts'], rules: boundary('\\./', OUTSIDE, 'src/index.ts is the library, not the command line or the server') },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results.json', '.scratch/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...boundaries,
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
);
