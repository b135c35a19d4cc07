/**
 * Every scanner Strata runs, in one list. Adding an ecosystem = one module
 * implementing Scanner (src/core/scanner.ts) and one line here.
 */
import type { Scanner } from '../core/scanner.js';
import { distroScanner } from './distro/scanner.js';
import { apkScanner } from './os/apk.js';
import { dpkgScanner } from './os/dpkg.js';
import { rpmScanner } from './os/rpm/scanner.js';
import { npmLockScanner, npmScanner } from './lang/npm.js';
import { pythonLockScanner, pythonScanner } from './lang/python.js';
import { gemfileLockScanner, gemspecScanner } from './lang/ruby.js';
import { composerScanner } from './lang/php.js';
import { dotnetScanner } from './lang/dotnet.js';
import { cargoLockScanner } from './lang/cargo-lock.js';
import { goBinaryScanner } from './lang/go-binary.js';
import { rustBinaryScanner } from './lang/rust-binary.js';
import { javaScanner } from './lang/java.js';

export const SCANNERS: readonly Scanner[] = [
  distroScanner,
  dpkgScanner,
  apkScanner,
  rpmScanner,
  npmScanner,
  npmLockScanner,
  pythonScanner,
  pythonLockScanner,
  gemspecScanner,
  gemfileLockScanner,
  composerScanner,
  dotnetScanner,
  cargoLockScanner,
  goBinaryScanner,
  rustBinaryScanner,
  javaScanner,
];

/** A stable fingerprint of the scanners and their versions, for layer cache keys. */
export function scannersFingerprint(scanners: readonly Scanner[]): string {
  return scanners
    .map((s) => `${s.id}@${s.version}`)
    .sort()
    .join(',');
}
