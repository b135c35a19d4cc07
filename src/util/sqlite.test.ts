import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/paths.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'strata-sqlite-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('a process that opens and closes a database and a vulnerability store 1,000 times does not grow (handles pinned on Node 24 are released on close)', () => {
    // In a child with --expose-gc and the Node 24 pinning forced on, whatever Node runs the tests.
    const script = `
      import { openDatabase, pinnedHandles } from ${JSON.stringify(path.resolve('src/util/sqlite.ts'))};
      const file = process.argv[1];
      const w = openDatabase(file);
      w.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)');
      w.prepare('INSERT OR REPLACE INTO t VALUES (?, ?)').run('a', 'x'.repeat(1000));
      w.close();
      const cycle = () => {
        const db = openDatabase(file, { readonly: true });
        db.pragma('mmap_size = 1048576');
        db.prepare('SELECT v FROM t WHERE k = ?').pluck().get('a');
        for (const _ of db.prepare('SELECT k FROM t').iterate()) {}
        db.close();
      };
      // The vulnerability store as a server reopens it after each database update: open, look up, close.
      const { buildDatabase, openVulnStore } = await import(${JSON.stringify(path.resolve('src/vulndb/index.ts'))});
      const db = process.argv[2];
      await buildDatabase({ inputs: [process.argv[3]], output: db });
      const storeCycle = async () => {
        const store = openVulnStore(db);
        await store.lookup({ packages: [{ ecosystem: 'crates.io', name: 'smallvec' }] });
        store.close();
      };
      for (let i = 0; i < 100; i++) { cycle(); await storeCycle(); }
      globalThis.gc(); globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 1000; i++) { cycle(); await storeCycle(); }
      globalThis.gc(); globalThis.gc();
      const after = process.memoryUsage().heapUsed;
      process.stdout.write(JSON.stringify({ pinned: pinnedHandles(), grownKiB: Math.round((after - before) / 1024) }));
    `;
    const feed = sharedData('vulns', 'osv', 'crates.io', 'all.zip');
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script, path.join(work, 'db.sqlite'), path.join(work, 'strata.db'), feed], {
      encoding: 'utf8',
      env: { ...process.env, STRATA_SQLITE_PIN: '1' },
    });
    const { pinned, grownKiB } = JSON.parse(out) as { pinned: number; grownKiB: number };
    expect(pinned).toBe(0);
    // 1,000 cycles of a database (three statements, an iterator) and of a store (a dozen statements): kept, they would be several MiB.
    expect(grownKiB).toBeLessThan(512);
  });
});
