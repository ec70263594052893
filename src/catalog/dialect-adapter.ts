import type { Transaction } from 'kysely';
import type { PackIndexEntry } from './ports/pack-index.js';
import type { StatCacheEntry } from './ports/stat-cache.js';
import type { CatalogSchema } from './schema.js';

/**
 * Optional fast paths for the bulk operations every status and commit runs. Each may decline
 * (return undefined or false), and the shared Kysely code then does the work.
 */
export interface BulkOperations {
  loadStatCache(resource: string): Map<string, StatCacheEntry> | undefined;
  /** See `StatCache.loadStatCacheFolders`. */
  loadStatCacheFolders?(
    resource: string,
    folders: readonly string[],
  ): Map<string, StatCacheEntry> | undefined;
  updateStatCache(
    upsert: readonly StatCacheEntry[],
    remove: readonly { resource: string; path: string }[],
  ): boolean;
  lookupPacks(ids: readonly string[]): Map<string, Omit<PackIndexEntry, 'id'>> | undefined;
  /** See `CatalogPackIndex.has`. */
  hasPacks?(ids: readonly string[]): Set<string> | undefined;
  addPacks(entries: Iterable<PackIndexEntry>): boolean;
}

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
  /** Faster bulk paths, where the driver offers them (SQLite's synchronous prepared statements). */
  readonly bulk?: BulkOperations;
  /** Frees the driver's resources. Called once. */
  destroy(): Promise<void>;
}
