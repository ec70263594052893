import path from 'node:path';
import { Kysely } from 'kysely';
import type Database from 'better-sqlite3';
import { ImmediateSqliteDialect } from '../../../catalog/sqlite/immediate-sqlite-dialect.js';
import { openSqlite } from '../../../catalog/sqlite/open-sqlite.js';
import type { SqliteSchema } from '../../../catalog/sqlite/sqlite-migrations.js';
import { JOB_MIGRATIONS, type JobDatabase } from '../job-schema.js';
import { KyselyJobStore } from '../kysely-job-store.js';

/** `jobs.db` for the SQLite migration runner. */
export const SQLITE_JOB_SCHEMA: SqliteSchema = {
  name: 'jobs',
  historyTable: 'jobs_migrations',
  migrations: JOB_MIGRATIONS.map(({ version, name, sql }) => ({
    version,
    name,
    up: (db: Database.Database) => void db.exec(sql),
  })),
};

/** Most prepared statements kept per connection (texts vary with list lengths: bounded). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The connection as Kysely sees it, with prepared statements reused by SQL text: Kysely's SQLite
 * driver prepares every query afresh, which cost about a third of each lease (measured: 3.1 s of
 * 9 s in 1,000 lease+complete pairs). Reuse is safe because Kysely runs each statement to the end
 * (`all` or `run`) before the next one.
 */
function withStatementCache(database: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (text: string): Database.Statement => {
    let statement = cache.get(text);
    if (statement === undefined) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
      statement = database.prepare(text);
      cache.set(text, statement);
    }
    return statement;
  };
  return new Proxy(database, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

interface Shared {
  readonly db: Kysely<JobDatabase>;
  users: number;
  closed: boolean;
}

const open = new Map<string, Promise<Shared>>();

/**
 * Opens (creating if needed) the job tables in a SQLite file (`.strata/jobs.db` of an embedded
 * repository). Stores opened on one file in one process share one connection, as the catalog's do:
 * a second better-sqlite3 connection waiting for the first one's write lock would block the event
 * loop the first one needs. `synchronous=NORMAL`: a power cut may forget the last outcomes, and the
 * tasks then run again (task effects are idempotent).
 */
export async function openSqliteJobStore(options: { path: string }): Promise<KyselyJobStore> {
  const key = path.resolve(options.path);
  let pending = open.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const database = await openSqlite(options.path, { schema: SQLITE_JOB_SCHEMA, synchronous: 'NORMAL' });
      const db = new Kysely<JobDatabase>({
        dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
      });
      return { db, users: 0, closed: false };
    })();
    const mine = pending;
    open.set(key, mine);
    mine.catch(() => open.get(key) === mine && open.delete(key));
  }
  const shared = await pending;
  if (shared.closed) return openSqliteJobStore(options);
  shared.users += 1;
  let destroyed = false;
  return new KyselyJobStore(
    shared.db,
    {
      maxParameters: 900,
      skipLocked: false,
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        shared.users -= 1;
        if (shared.users > 0) return;
        shared.closed = true;
        if (open.get(key) === pending) open.delete(key);
        await shared.db.destroy();
      },
    },
    options.path,
  );
}
