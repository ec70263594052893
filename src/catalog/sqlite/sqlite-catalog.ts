import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { KyselyCatalog } from '../kysely-catalog.js';
import { MIGRATIONS } from '../migrations.js';
import type { CatalogSchema } from '../schema.js';
import type { BulkOperations } from '../dialect-adapter.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { withStatementCache } from './statement-cache.js';
import { createSqliteBulkOperations } from './sqlite-bulk.js';
import { openSqlite } from './open-sqlite.js';
import type { SqliteSchema } from './sqlite-migrations.js';

/** Options of the embedded catalog. */
export interface SqliteCatalogOptions {
  /** The database file, or `:memory:` for tests. */
  readonly path: string;
  /**
   * Create the file if it is missing (only `init` should). Opening an existing repository whose
   * catalog vanished must fail loudly: an empty catalog would hide every commit, and a later gc
   * would delete their objects.
   */
  readonly create?: boolean;
}

/** One connection per file per process, shared by every catalog opened on it. */
interface Shared {
  readonly db: Kysely<CatalogSchema>;
  readonly bulk: BulkOperations;
  users: number;
  closed: boolean;
}

const open = new Map<string, Promise<Shared>>();

const BUSY_TIMEOUT_MS = 10_000;

/**
 * The catalog's migrations (Kysely code shared with PostgreSQL, see `MIGRATIONS`) as the SQLite
 * runner takes them: each runs through a Kysely instance over the runner's connection, inside its
 * `BEGIN IMMEDIATE` transaction. `strata_migrations` is the history table earlier builds wrote.
 */
export const SQLITE_CATALOG_SCHEMA: SqliteSchema = {
  name: 'catalog',
  historyTable: 'strata_migrations',
  migrations: MIGRATIONS.map((migration) => ({
    version: migration.version,
    name: migration.name,
    // Never destroyed: destroying it would close the connection, which the catalog keeps using.
    up: (database) => migration.up(new Kysely({ dialect: new SqliteDialect({ database }) })),
  })),
};

async function connect(file: string, create: boolean): Promise<Shared> {
  const database = await openSqlite(file, {
    create,
    schema: SQLITE_CATALOG_SCHEMA,
    synchronous: 'FULL',
    busyTimeoutMs: BUSY_TIMEOUT_MS,
  });
  const db = new Kysely<CatalogSchema>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
  });
  // Prepared after the migrations: the statements need the tables.
  return { db, bulk: createSqliteBulkOperations(database), users: 0, closed: false };
}

/**
 * Opens (creating if needed) the embedded SQLite catalog: WAL so readers never block the writer,
 * `synchronous=FULL` so a committed ref survives a power cut, a busy timeout and `BEGIN IMMEDIATE`
 * transactions so several processes can share one repository without "database is locked" errors.
 *
 * Catalogs opened on the same file in one process share one connection (better-sqlite3 is
 * synchronous: a second connection waiting for the first one's write lock would block the very
 * event loop the first one needs to finish). Each catalog must still be closed; the connection
 * closes with the last one.
 */
export async function openSqliteCatalog(options: SqliteCatalogOptions): Promise<KyselyCatalog> {
  const key = options.path === ':memory:' ? undefined : path.resolve(options.path);
  let pending = key === undefined ? undefined : open.get(key);
  if (pending === undefined) {
    pending = connect(options.path, options.create ?? true);
    if (key !== undefined) {
      const mine = pending;
      open.set(key, mine);
      mine.catch(() => open.get(key) === mine && open.delete(key));
    }
  }
  const shared = await pending;
  // The last user closed it while this call waited: start again with a fresh connection.
  if (shared.closed) return openSqliteCatalog(options);
  shared.users += 1;
  return new KyselyCatalog(shared.db, {
    dialect: 'sqlite',
    // SQLite >= 3.32 allows 32766 parameters; stay well below for statement-cache friendliness.
    maxParameters: 900,
    bulk: shared.bulk,
    // BEGIN IMMEDIATE took the database's single write lock already.
    async lockTableForUpdate() {},
    async destroy() {
      shared.users -= 1;
      if (shared.users > 0) return;
      shared.closed = true;
      if (key !== undefined && open.get(key) === pending) open.delete(key);
      await shared.db.destroy();
    },
  });
}
