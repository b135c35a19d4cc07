/**
 * Opens better-sqlite3 databases. On Node 24, better-sqlite3 12 aborts the
 * process ("Assertion failed: (env) != nullptr" in
 * node::RemoveEnvironmentCleanupHook) when a Database or Statement object is
 * garbage-collected after Node has torn its environment down — at exit, or
 * when a worker ends (upstream WiseLibs/better-sqlite3#1515, closed without a
 * fix; version 13 needs Node 22, and Strata supports Node 20). Keeping every
 * handle of an OPEN database reachable means none is collected then; closing
 * the database releases its handles (closed handles hold no native state), so
 * a long-running process that opens and closes databases stays flat. Only on
 * Node 24 and later, where the bug is (STRATA_SQLITE_PIN=1 forces it, for tests).
 */
import type Database from 'better-sqlite3';
import { lazyRequire } from './lazy-require.js';

/** Loaded when a database is opened: a scan without one (or `strata --version`) does not load the addon. */
const sqlite = lazyRequire<typeof Database>('better-sqlite3');

const PIN = process.env.STRATA_SQLITE_PIN === '1' || Number(process.versions.node.split('.')[0]) >= 24;
/** Per open database, the objects kept reachable until it closes. */
const pinned = new Map<Database.Database, Set<object>>();

/** How many objects are kept reachable now (for tests: 0 once every database is closed). */
export function pinnedHandles(): number {
  let n = 0;
  for (const own of pinned.values()) n += own.size + 1;
  return n;
}

/** A Database whose handles stay reachable while it is open (on Node >= 24 only). */
export function openDatabase(source: string | Buffer, options?: Database.Options): Database.Database {
  const db = new (sqlite())(source, options);
  if (!PIN) return db;
  const own = new Set<object>();
  pinned.set(db, own);
  const prepare = db.prepare.bind(db);
  // Every statement (including those pragma() prepares) stays reachable, and every iterator until it ends.
  db.prepare = ((sql: string) => {
    const statement = prepare(sql);
    own.add(statement);
    const iterate = statement.iterate.bind(statement);
    statement.iterate = ((...params: unknown[]) => {
      const iterator = iterate(...params);
      own.add(iterator);
      const next = iterator.next.bind(iterator);
      const ret = iterator.return?.bind(iterator);
      iterator.next = (...args: []) => {
        const r = next(...args);
        if (r.done) own.delete(iterator);
        return r;
      };
      if (ret) {
        iterator.return = (...args: [unknown?]) => {
          own.delete(iterator);
          return ret(...args);
        };
      }
      return iterator;
    }) as typeof statement.iterate;
    return statement;
  }) as typeof db.prepare;
  // pragma() and transaction() prepare through the native handle, not db.prepare: route
  // pragma through it, and pin each transaction function (its closure holds its statements).
  db.pragma = (source: string, options?: Database.PragmaOptions) => {
    const statement = db.prepare(`PRAGMA ${source}`);
    if (!statement.reader) {
      statement.run();
      return options?.simple ? undefined : [];
    }
    return options?.simple ? statement.pluck().get() : statement.all();
  };
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: Parameters<typeof db.transaction>[0]) => {
    const wrapped = transaction(fn);
    own.add(wrapped);
    return wrapped;
  }) as typeof db.transaction;
  const close = db.close.bind(db);
  db.close = () => {
    const result = close();
    pinned.delete(db);
    return result;
  };
  return db;
}

export type { Database };
