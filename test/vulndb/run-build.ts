/**
 * Runs the real builder in a child process (tests kill it half-way or run
 * two at once): `run-build.ts OUTPUT INPUT…`.
 */
import { buildDatabase } from '../../src/vulndb/index.js';

const [output, ...inputs] = process.argv.slice(2);
if (!output) throw new Error('usage: run-build.ts OUTPUT INPUT…');
await buildDatabase({ inputs, output, full: true });
