import { sql, type Kysely } from 'kysely';
import { SchemaTooNewError } from '../errors/index.js';

/**
 * The database as migrations see it: untyped, because each migration is written against the
 * schema of its own time, not today's `CatalogSchema` (Kysely's own advice for migrations).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type MigrationDb = Kysely<any>;

/** One numbered schema change. Never edit a shipped migration: add the next number instead. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: MigrationDb): Promise<void>;
}

/**
 * The catalog's schema history. Types are chosen to behave the same on SQLite and PostgreSQL:
 * `double precision` for sizes and times (exact integers up to 2^53, returned as JS numbers by both
 * drivers), `text` for ids and names.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'foundation',
    async up(db) {
      await db.schema
        .createTable('refs')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('target', 'text')
        .addColumn('symbolic', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('stat_cache')
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('size', 'double precision', (c) => c.notNull())
        .addColumn('mtime_ms', 'double precision', (c) => c.notNull())
        .addColumn('ino', 'double precision', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('recorded_ms', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('stat_cache_pk', ['resource', 'path'])
        .execute();
      await db.schema
        .createTable('pack_index')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pack', 'text', (c) => c.notNull())
        .addColumn('offset', 'double precision', (c) => c.notNull())
        .addColumn('length', 'double precision', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pack_index_pack').on('pack_index').column('pack').execute();
      await db.schema
        .createTable('locks')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('command', 'text', (c) => c.notNull())
        .addColumn('exclusive', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('resources')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('config')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 2,
    name: 'scan fingerprints',
    async up(db) {
      await db.schema
        .createTable('scan_state')
        .addColumn('resource', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('map_root', 'text', (c) => c.notNull())
        .addColumn('files', 'double precision', (c) => c.notNull())
        .addColumn('bytes', 'double precision', (c) => c.notNull())
        .addColumn('recorded_ms', 'double precision', (c) => c.notNull())
        .execute();
    },
  },
  {
    version: 3,
    name: 'lock leases',
    async up(db) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time.
      await db.schema.alterTable('locks').addColumn('token', 'text').execute();
      await db.schema.alterTable('locks').addColumn('lease_until', 'double precision').execute();
    },
  },
  {
    version: 4,
    name: 'working folder state',
    async up(db) {
      // What was once files under `.strata/` (stage/, lineage/, local-params.json), keyed by the
      // working folder so a shared catalog keeps each folder's uncommitted work to itself.
      await db.schema
        .createTable('staged_sections')
        .addColumn('working_folder', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('section', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('staged_sections_pk', ['working_folder', 'branch', 'section'])
        .execute();
      await db.schema
        .createTable('current_lineage')
        .addColumn('working_folder', 'text', (c) => c.notNull())
        .addColumn('head', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('current_lineage_pk', ['working_folder', 'head'])
        .execute();
      await db.schema
        .createTable('local_params')
        .addColumn('working_folder', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('local_params_pk', ['working_folder', 'name'])
        .execute();
    },
  },
  {
    version: 5,
    name: 'api tokens',
    async up(db) {
      // The server's bearer tokens: only a hash of each secret is kept.
      await db.schema
        .createTable('api_tokens')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
    },
  },
  {
    version: 6,
    name: 'scan folder digests',
    async up(db) {
      await db.schema.alterTable('scan_state').addColumn('folders', 'text').execute();
    },
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** How `migrate` keeps two processes that open a brand-new catalog at once from colliding. */
export interface MigrateOptions {
  /**
   * Runs first inside the migration transaction and must block until no other migrator is inside
   * (PostgreSQL: `pg_advisory_xact_lock`). Not needed where the transaction itself takes the
   * database's write lock (SQLite with `BEGIN IMMEDIATE`).
   */
  readonly lock?: (trx: MigrationDb) => Promise<void>;
  /** Names the database in errors (no credentials): e.g. `PostgreSQL catalog at db:5432`. */
  readonly location?: string;
}

async function readVersion(db: MigrationDb): Promise<number> {
  const row = await db
    .selectFrom('strata_migrations')
    .select(sql<number>`max(version)`.as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

function refuseNewer(version: number, location = 'PostgreSQL catalog'): void {
  if (version > LATEST_SCHEMA_VERSION) {
    throw new SchemaTooNewError({
      file: location,
      schema: 'catalog',
      version,
      supported: LATEST_SCHEMA_VERSION,
    });
  }
}

/**
 * The PostgreSQL catalog's migration runner (SQLite files use `migrateSqlite` in
 * `sqlite/sqlite-migrations.ts`, with the same `MIGRATIONS`).
 *
 * Brings the schema up to date in one transaction, and refuses a catalog written by a newer Strata
 * (its schema would be misread). An up-to-date catalog costs one read and takes no lock; otherwise
 * the version is read again under the lock, so a process that lost the race to a concurrent
 * migrator finds the work done instead of failing on `CREATE TABLE`.
 */
export async function migrate(db: MigrationDb, options: MigrateOptions = {}): Promise<void> {
  // A missing table (a new catalog) fails this read; the locked path below creates it.
  const seen = await readVersion(db).catch(() => undefined);
  if (seen !== undefined) refuseNewer(seen, options.location);
  if (seen === LATEST_SCHEMA_VERSION) return;
  await db.transaction().execute(async (trx) => {
    await options.lock?.(trx);
    await trx.schema
      .createTable('strata_migrations')
      .ifNotExists()
      .addColumn('version', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const current = await readVersion(trx);
    refuseNewer(current, options.location);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      await migration.up(trx);
      await trx
        .insertInto('strata_migrations')
        .values({ version: migration.version, name: migration.name, applied_at: new Date().toISOString() })
        .execute();
    }
  });
}
