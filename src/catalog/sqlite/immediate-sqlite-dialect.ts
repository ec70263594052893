import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';

/**
 * Kysely's SQLite driver, except that transactions start with `BEGIN IMMEDIATE`: the write lock is
 * taken (waiting up to `busy_timeout`) before the first read. With a plain deferred `BEGIN`, a
 * transaction that reads and then writes fails with `SQLITE_BUSY` at once when another process
 * wrote in between, and two processes creating a new catalog would both run the first migration.
 * Every catalog transaction writes, so nothing is lost by taking the lock up front.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** `SqliteDialect` whose transactions begin immediately; see `ImmediateSqliteDriver`. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
