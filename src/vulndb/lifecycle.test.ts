import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/log.js';
import { openDatabase } from './lifecycle.js';

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m) };
}

describe('openDatabase', () => {
  const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'strata-lifecycle-')), 'none.db');

  it('without a file and without updates: no store, one warning naming the path', async () => {
    const logger = recorder();
    expect(await openDatabase({ db: missing, update: false, maxAge: '7d' }, logger)).toEqual({ path: missing });
    expect(logger.warnings).toEqual([`no vulnerability database at ${missing}: run 'strata db build' (or 'strata db update')`]);
  });

  it('a caller that requires a database gets an error with its reason', async () => {
    await expect(openDatabase({ db: missing, update: false, maxAge: '7d', required: 'the gate needs one' }, recorder())).rejects.toThrow(
      /no vulnerability database at .*none\.db: run 'strata db build' \(or 'strata db update'\); the gate needs one/,
    );
  });

  it('an invalid maximum age is a usage error before anything is opened', async () => {
    await expect(openDatabase({ db: missing, update: false, maxAge: 'soon' }, recorder())).rejects.toThrow(/invalid duration "soon"/);
  });
});
