/**
 * Runs the real builder in a child process (tests kill it half-way or run
 * two at once; the benchmark measures its time and peak memory):
 * `run-build.ts OUTPUT INPUT…`. With STRATA_BUILD_STATS=1 it prints
 * `{"seconds":…,"maxRssKiB":…}` on stdout when done.
 */
import { buildDatabase } from '../../src/vulndb/index.js';

const [output, ...inputs] = process.argv.slice(2);
if (!output) throw new Error('usage: run-build.ts OUTPUT INPUT…');
const t0 = process.hrtime.bigint();
await buildDatabase({ inputs, output, full: true });
if (process.env.STRATA_BUILD_STATS === '1') {
  process.stdout.write(`${JSON.stringify({ seconds: Number(process.hrtime.bigint() - t0) / 1e9, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}
