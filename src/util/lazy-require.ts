/**
 * Loads a CommonJS dependency the first time it is needed, synchronously.
 * For libraries only some runs use (a YAML parser for one lockfile format,
 * the CVSS calculator for feeds without scores): importing them up front
 * costs every `strata` start 20–30 ms each.
 */
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireHere(id) as T);
}
