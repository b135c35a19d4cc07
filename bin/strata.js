#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm run build`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
// A failed run (a --timeout deadline, an aborted transfer) may leave a socket
// that the network stack closes only on its own timeout (a TLS handshake to a
// server that never answers): the error is printed, so do not wait for it.
if (process.exitCode !== 0) setTimeout(() => process.exit(), 500).unref();
