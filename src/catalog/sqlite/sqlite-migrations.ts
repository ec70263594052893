import type Database from 'better-sqlite3';
import { SchemaTooNewError } from '../../errors/index.js';

/** One numbered schema change of a SQLite database. Never edit a shipped one: add the next number. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  /**
   * Runs inside the runner's `BEGIN IMMEDIATE` transaction on `db`. May be async (the catalog's
   * migrations are Kysely code shared with PostgreSQL): nothing else uses the connection while
   * `openSqlite` migrates, so awaiting inside the transaction is safe.
   */
  up(db: Database.Database): void | Promise<void>;
}

/** The schema history of one kind of SQLite database (catalog.db, compute.db, assets.db). */
export interface SqliteSchema {
  /** What the file holds, for messages and errors: `catalog`, `compute`, `asset`. */
  readonly name: string;
  /** In version order, numbered from 1 without gaps. */
  readonly migrations: readonly SqliteMigration[];
  /**
   * The table (`version`, `name`, `applied_at`) in which earlier Strata builds recorded this
   * database's applied migrations. Its highest version is adopted when `user_version` is behind
   * it (a file written before the runner existed), and each new migration is still recorded in it,
   * so an older Strata, which reads only the table, refuses a file migrated past what it knows.
   */
  readonly historyTable?: string;
}

/** The newest version a schema knows (0 for none). */
export function latestVersion(schema: SqliteSchema): number {
  return schema.migrations.at(-1)?.version ?? 0;
}

function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/**
 * The applied version: `PRAGMA user_version` (in the file header, so one cheap read, and written
 * in the same transaction as the migration), or the history table's when that is ahead.
 */
export function readSchemaVersion(db: Database.Database, schema: SqliteSchema): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const table = schema.historyTable;
  if (table === undefined || !hasTable(db, table)) return version;
  const row = db.prepare(`SELECT max(version) AS version FROM "${table}"`).get() as {
    version: number | null;
  };
  return Math.max(version, row.version ?? 0);
}

/** Throws `SchemaTooNewError` (E_SCHEMA_TOO_NEW) for a file a newer Strata migrated. */
export function refuseNewerSchema(version: number, schema: SqliteSchema, file: string): void {
  const supported = latestVersion(schema);
  if (version > supported) throw new SchemaTooNewError({ file, schema: schema.name, version, supported });
}

function checkNumbering(schema: SqliteSchema): void {
  schema.migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`${schema.name} migrations must be numbered 1, 2, 3 ...: found ${migration.version}`);
  });
}

/**
 * Brings a SQLite database up to date: the one migration runner of every SQLite file.
 *
 * An up-to-date file costs one header read and takes no lock. Otherwise the whole upgrade runs in
 * one `BEGIN IMMEDIATE` transaction: the database's single write lock is taken first (waiting up
 * to `busy_timeout`), the version is read again under it, so a process that lost the race to a
 * concurrent migrator finds the work done instead of running a migration twice. A failing
 * migration rolls back everything, the version included. A file whose version is above the newest
 * migration is refused with `SchemaTooNewError` (E_SCHEMA_TOO_NEW) naming the file.
 */
export async function migrateSqlite(
  db: Database.Database,
  schema: SqliteSchema,
  file: string,
): Promise<void> {
  checkNumbering(schema);
  const latest = latestVersion(schema);
  const seen = readSchemaVersion(db, schema);
  refuseNewerSchema(seen, schema, file);
  if (seen === latest) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = readSchemaVersion(db, schema);
    refuseNewerSchema(current, schema, file);
    const table = schema.historyTable;
    if (table !== undefined && current < latest) {
      db.exec(
        `CREATE TABLE IF NOT EXISTS "${table}" (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
      );
    }
    for (const migration of schema.migrations) {
      if (migration.version <= current) continue;
      await migration.up(db);
      if (table !== undefined) {
        db.prepare(`INSERT INTO "${table}" (version, name, applied_at) VALUES (?, ?, ?)`).run(
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
      }
    }
    // Also when the history table was ahead: from now on the header alone answers.
    db.pragma(`user_version = ${latest}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
