#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/main.js by `npm run build`
// (scripts/bundle.js; dist/ also holds the library, built by tsc).
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
// A failed run (a --timeout deadline, an aborted transfer) may leave a socket
// that the network stack closes only on its own timeout (a TLS handshake to a
// server that never answers): the error is printed, so do not wait for it.
if (process.exitCode !== 0) setTimeout(() => process.exit(), 500).unref();
