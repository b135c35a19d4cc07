#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/main.js by `npm run build`
// (scripts/bundle.js; dist/ also holds the library, built by tsc).
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
