import type { Transaction } from 'kysely';
import type { CatalogSchema } from './schema.js';

/** What differs between SQL backends; everything else is shared Kysely code (`KyselyCatalog`). */
export interface CatalogDialectAdapter {
  readonly dialect: string;
  /** Most bound parameters one statement may carry. */
  readonly maxParameters: number;
  /**
   * Called first in a read-then-write transaction: serialises it against concurrent writers, so
   * two lock acquisitions never both see the lock free (SQLite's `BEGIN IMMEDIATE` already does).
   */
  lockTableForUpdate(trx: Transaction<CatalogSchema>, table: keyof CatalogSchema): Promise<void>;
  /** Frees the driver's resources. Called once. */
  destroy(): Promise<void>;
}
