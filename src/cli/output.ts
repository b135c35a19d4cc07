/**
 * Where the CLI writes: results to stdout (or --output), everything else to
 * stderr through a Logger that honours --quiet and --debug.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/log.js';

export interface LogOptions {
  debug?: boolean;
  quiet?: boolean;
}

export function createLogger(opts: LogOptions, stream: NodeJS.WritableStream = process.stderr): Logger {
  const started = Date.now();
  return {
    debug(message) {
      if (opts.debug) stream.write(`[debug +${((Date.now() - started) / 1000).toFixed(3)}s] ${message}\n`);
    },
    info(message) {
      if (!opts.quiet) stream.write(`${message}\n`);
    },
    warn(message) {
      // Warnings survive --quiet: they change what a result means.
      stream.write(`warning: ${message}\n`);
    },
  };
}

/** Writes a result file atomically (temp file + rename) so a reader never sees half a report. */
export async function writeOutputFile(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** Writes to stdout and waits until it drained, so process exit cannot cut the output. */
export function writeStdout(data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (err) => (err ? reject(err) : resolve()));
  });
}
