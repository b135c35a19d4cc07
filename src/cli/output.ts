/**
 * Where the CLI writes: results to stdout (or --output), everything else to
 * stderr through a Logger that honours --quiet and --debug.
 */
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_ERROR } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { escapeForTerminal } from '../util/terminal-text.js';

export interface LogOptions {
  debug?: boolean;
  quiet?: boolean;
}

export function createLogger(opts: LogOptions, stream: NodeJS.WritableStream = process.stderr): Logger {
  const started = Date.now();
  return {
    debug(message) {
      if (opts.debug) stream.write(`[debug +${((Date.now() - started) / 1000).toFixed(3)}s] ${escapeForTerminal(message)}\n`);
    },
    info(message) {
      if (!opts.quiet) stream.write(`${escapeForTerminal(message)}\n`);
    },
    warn(message) {
      // Warnings survive --quiet: they change what a result means. Image-supplied text is escaped.
      stream.write(`warning: ${escapeForTerminal(message)}\n`);
    },
  };
}

/** Writes a result file atomically (temp file + rename) so a reader never sees half a report. */
export async function writeOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  // Only a regular file (or a new one) is replaced by rename: renaming over
  // `-o /dev/null`, a FIFO or a symlink would replace the device, pipe or link
  // itself, so those are written to as they are.
  const existing = await lstat(file).catch(() => undefined);
  if (existing && !existing.isFile()) {
    await writeFile(file, data);
    return;
  }
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The reader of stdout went away (`strata … | head`): what is left to write has nobody to read it. */
function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

let stdoutGuarded = false;

/**
 * Without a listener, a failed write to stdout is an 'error' event that
 * kills the process with a stack trace. A closed pipe is ignored (the scan
 * still ends with its own exit code); anything else is one line on stderr
 * and the error exit code.
 */
export function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (isBrokenPipe(e)) return;
    process.stderr.write(`strata: error: cannot write to stdout: ${e.message}\n`);
    process.exitCode = EXIT_ERROR;
  });
}

/** Writes to stdout and waits until it drained, so process exit cannot cut the output. */
export function writeStdout(data: string): Promise<void> {
  guardStdout();
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (err) => (err && !isBrokenPipe(err) ? reject(err) : resolve()));
  });
}
