import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { NotFoundError } from '../../errors/index.js';
import { KyselyCatalog } from '../kysely-catalog.js';
import { migrate } from '../migrations.js';
import type { CatalogSchema } from '../schema.js';
import type { BulkOperations } from '../dialect-adapter.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { createSqliteBulkOperations } from './sqlite-bulk.js';

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
 * Switching a new file to WAL needs a moment of exclusive access and, unlike other statements,
 * answers `SQLITE_BUSY` at once (no busy handler) while another process opens the same new file.
 */
async function enableWal(database: Database.Database): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      database.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}

async function connect(file: string, create: boolean): Promise<Shared> {
  let database: Database.Database;
  try {
    database = new Database(file, { fileMustExist: !create });
  } catch (err) {
    throw new NotFoundError(`catalog ${file} cannot be opened: ${(err as Error).message}`, {
      what: 'catalog',
      path: file,
    });
  }
  database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  try {
    await enableWal(database);
  } catch (err) {
    database.close();
    throw err;
  }
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<CatalogSchema>({ dialect: new ImmediateSqliteDialect({ database }) });
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
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
