/**
 * The language-manifest scanners as one list, for callers that want to set
 * lockfile options once (e.g. a `--include-dev-deps` flag). The registry
 * lists the same scanners with default options.
 */
import type { Scanner } from '../../core/scanner.js';
import { cargoLockScanner } from './cargo-lock.js';
import { createDotnetScanner } from './dotnet.js';
import type { LockfileScannerOptions } from './manifest-common.js';
import { createNpmLockScanner, npmScanner } from './npm.js';
import { createComposerScanner } from './php.js';
import { createPythonLockScanner, pythonScanner } from './python.js';
import { createGemfileLockScanner, gemspecScanner } from './ruby.js';

export type { LockfileScannerOptions } from './manifest-common.js';

export function manifestScanners(options: LockfileScannerOptions = {}): Scanner[] {
  return [
    npmScanner,
    createNpmLockScanner(options),
    pythonScanner,
    createPythonLockScanner(options),
    gemspecScanner,
    createGemfileLockScanner(options),
    createComposerScanner(options),
    createDotnetScanner(options),
    cargoLockScanner,
  ];
}
