/**
 * Opens better-sqlite3 databases. On Node 24, better-sqlite3 12 aborts the
 * process ("Assertion failed: (env) != nullptr" in
 * node::RemoveEnvironmentCleanupHook) when a Database or Statement object is
 * garbage-collected after Node has torn its environment down — at exit, or
 * when a worker ends (upstream WiseLibs/better-sqlite3#1515, closed without a
 * fix; version 13 needs Node 22, and Strata supports Node 20). Keeping every
 * handle reachable until exit means none is collected then. Only on Node 24
 * and later, where the bug is; the cost is a few small objects per database.
 */
import type Database from 'better-sqlite3';
import { lazyRequire } from './lazy-require.js';

/** Loaded when a database is opened: a scan without one (or `strata --version`) does not load the addon. */
const sqlite = lazyRequire<typeof Database>('better-sqlite3');

const PIN = Number(process.versions.node.split('.')[0]) >= 24;
const pinned: object[] = [];

/** A Database or Statement (on Node >= 24 only). */
export function openDatabase(source: string | Buffer, options?: Database.Options): Database.Database {
  const db = new (sqlite())(source, options);
  if (PIN) {
    pinned.push(db);
    const prepare = db.prepare.bind(db);
    // Every statement (including those pragma() prepares) and every iterator stays reachable too.
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      pinned.push(statement);
      const iterate = statement.iterate.bind(statement);
      statement.iterate = ((...params: unknown[]) => {
        const iterator = iterate(...params);
        pinned.push(iterator);
        return iterator;
      }) as typeof statement.iterate;
      return statement;
    }) as typeof db.prepare;
    // pragma() and transaction() prepare through the native handle, not db.prepare: route
    // pragma through it, and pin each transaction function (its closure holds its statements).
    db.pragma = ((source: string, options?: Database.PragmaOptions) => {
      const statement = db.prepare(`PRAGMA ${source}`);
      if (!statement.reader) {
        statement.run();
        return options?.simple ? undefined : [];
      }
      return options?.simple ? statement.pluck().get() : statement.all();
    });
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: Parameters<typeof db.transaction>[0]) => {
      const wrapped = transaction(fn);
      pinned.push(wrapped);
      return wrapped;
    }) as typeof db.transaction;
  }
  return db;
}

export type { Database };
