// The `strata` command as one ESM bundle (dist/bundle/), which bin/strata.js
// runs: one file to load instead of ~150 modules, and no CommonJS
// dependency for Node to pre-parse. Every lazy `import()` (a command's
// implementation, each report writer, the feed readers, the registry client)
// stays a separate chunk, loaded only when a run needs it. Native modules
// (better-sqlite3, zstd-napi), optional peers, and the CommonJS packages
// loaded through util/lazy-require.ts resolve from node_modules at run time.
// `tsc -p tsconfig.build.json` still builds dist/ for the library (exports
// and .d.ts); this runs after it (`npm run build`).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: new URL('../src/cli/main.ts', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Chunks sit next to main.js, two levels below package.json (report/tool.ts reads it relative to itself).
  chunkNames: 'chunk-[hash]',
  external: [
    'better-sqlite3',
    'zstd-napi',
    // Imported with import() only for a proxy or --insecure (util/http-proxy.ts). Bundled, esbuild's
    // chunk for this CommonJS package exports only `default`, and the named imports come out undefined.
    'undici',
    // Finds its JSON schemas relative to its own files (__dirname): loaded from node_modules,
    // by the CycloneDX writer's chunk only. Then the optional peers it looks for at run time.
    '@cyclonedx/cyclonedx-library',
    'ajv',
    'ajv-formats',
    'ajv-formats-draft2019',
    'libxmljs2',
    'xmlbuilder2',
  ],
  // CommonJS dependencies bundled into ESM call require() for Node built-ins.
  banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
if (result.errors.length) process.exit(1);
