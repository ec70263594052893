import type BetterSqlite3 from 'better-sqlite3';

/** Distinct statements kept at most; past it the cache starts over (`IN (?, ?, …)` lists vary). */
const MAX_STATEMENTS = 256;

/**
 * The connection as Kysely sees it, with `prepare` answered from a cache of prepared statements:
 * Kysely prepares every query afresh, which was the largest cost of a small catalog read (a ref,
 * a commit, a token). A statement still being iterated (a streamed query) is busy and cannot run
 * twice at once, so then a fresh one is prepared. SQLite re-prepares a cached statement itself
 * after a schema change.
 */
export function withStatementCache(database: BetterSqlite3.Database): BetterSqlite3.Database {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    const cached = statements.get(sql);
    if (cached && !cached.busy) return cached;
    const statement = database.prepare(sql);
    if (!cached) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(database, {
    get: (target, key) => {
      if (key === 'prepare') return prepare;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
