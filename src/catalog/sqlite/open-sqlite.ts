import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { NotFoundError } from '../../errors/index.js';
import {
  migrateSqlite,
  readSchemaVersion,
  refuseNewerSchema,
  type SqliteSchema,
} from './sqlite-migrations.js';

/** How `openSqlite` opens a file; the defaults are the catalog's (the strictest). */
export interface OpenSqliteOptions {
  /** The schema to migrate the file to (or, read-only, to check it is not newer than). */
  readonly schema?: SqliteSchema;
  /** Open read-only: no WAL switch, no migration (a newer schema is still refused). */
  readonly readonly?: boolean;
  /**
   * Create the file if it is missing (default true). With false a missing file is a
   * `NotFoundError` naming it: an empty catalog would hide every commit.
   */
  readonly create?: boolean;
  /**
   * `FULL` (default) fsyncs each commit, so it survives a power cut; `NORMAL` survives a killed
   * process but not a power cut, for files whose content can be recomputed.
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long a statement waits for another process's lock before SQLITE_BUSY (default 10 s). */
  readonly busyTimeoutMs?: number;
  /** Page size of a new file (ignored for an existing one). */
  readonly pageSize?: number;
  /** Page cache, in KiB (SQLite's default otherwise). */
  readonly cacheSizeKiB?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

let addonPath: string | null | undefined;

/**
 * better-sqlite3's compiled addon, by path. Left to itself better-sqlite3 asks the `bindings`
 * package, which reads the call stack and tries candidate paths one by one: 2 ms of every
 * command's start on an idle machine, tens of ms on a busy one. Given the path it is one
 * `require`. Only the usual release build is named, and only when no debug build sits beside it
 * (which `bindings` would prefer); otherwise `bindings` looks as before.
 */
function nativeBinding(): string | undefined {
  if (addonPath === undefined) {
    addonPath = null;
    try {
      const release = createRequire(import.meta.url).resolve(
        'better-sqlite3/build/Release/better_sqlite3.node',
      );
      if (!existsSync(release.replace(/Release([/\\])better_sqlite3\.node$/, 'Debug$1better_sqlite3.node')))
        addonPath = release;
    } catch {
      // Not where a release build goes: better-sqlite3 finds its addon itself.
    }
  }
  return addonPath ?? undefined;
}

/**
 * Switching a new file to WAL needs a moment of exclusive access and, unlike other statements,
 * answers `SQLITE_BUSY` at once (no busy handler) while another process opens the same new file.
 */
async function enableWal(db: Database.Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}

/**
 * Opens a SQLite database the one way Strata opens every SQLite file (catalog.db, compute.db,
 * assets.db, the search child's read-only view): a busy timeout so processes queue for the write
 * lock instead of failing, WAL so readers never wait for the writer, the chosen `synchronous`
 * level, foreign keys enforced, then the schema brought up to date by `migrateSqlite` (one
 * `BEGIN IMMEDIATE` transaction; a newer schema is refused with E_SCHEMA_TOO_NEW).
 *
 * `:memory:` works too (tests): it has no WAL. The caller owns the connection and closes it; on
 * failure it is closed here.
 */
export async function openSqlite(file: string, options: OpenSqliteOptions = {}): Promise<Database.Database> {
  const readonly = options.readonly ?? false;
  const create = !readonly && (options.create ?? true);
  let db: Database.Database;
  try {
    const addon = nativeBinding();
    db = new Database(file, { readonly, fileMustExist: !create, ...(addon ? { nativeBinding: addon } : {}) });
  } catch (err) {
    if (create) throw err;
    const what = options.schema?.name ?? 'database';
    throw new NotFoundError(`${what} ${file} cannot be opened: ${(err as Error).message}`, {
      what,
      path: file,
    });
  }
  try {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!readonly) {
      // Before WAL: the page size of a WAL file can no longer change.
      if (options.pageSize !== undefined) db.pragma(`page_size = ${options.pageSize}`);
      if (file !== ':memory:') await enableWal(db, busyTimeoutMs);
    }
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    if (options.cacheSizeKiB !== undefined) db.pragma(`cache_size = -${options.cacheSizeKiB}`);
    if (options.schema !== undefined) {
      if (readonly) refuseNewerSchema(readSchemaVersion(db, options.schema), options.schema, file);
      else await migrateSqlite(db, options.schema, file);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
