// Preloaded into a strata child (NODE_OPTIONS=--require) by tests that assert
// memory: writes the process's peak resident set size (KiB) to the file
// STRATA_TEST_PEAK_RSS_FILE names when it exits.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS by nature
const { writeFileSync } = require('node:fs');
const file = process.env.STRATA_TEST_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
