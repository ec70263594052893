import type { AssetStore, SearchGrouping } from '../../catalog/asset-store.js';
import { InvalidArgumentError } from '../../errors/index.js';

/** Columns stored as JSON text, returned as values. */
const JSON_COLUMNS = new Set(['file_error', 'asset_error', 'coordinate', 'file_traits', 'asset_metadata']);
/** Columns stored as 0/1, returned as booleans. */
const BOOLEAN_COLUMNS = new Set(['asset_valid']);

/**
 * Runs one read-only SQL statement over `data`: one row per file with its asset's columns
 * (`file`), or one row per asset (`asset`). Every error column is present (`file_error`,
 * `asset_error`, `asset_valid`). A statement that would write is refused (E_INVALID_ARGUMENT)
 * and nothing changes: the store reads through a read-only connection.
 */
export async function searchAssets(
  store: AssetStore,
  sql: string,
  grouping: SearchGrouping = 'file',
): Promise<Record<string, unknown>[]> {
  if (typeof sql !== 'string' || sql.trim() === '')
    throw new InvalidArgumentError('search: give one SQL statement, e.g. SELECT * FROM data', { sql });
  const rows = await store.search(sql, grouping);
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const v = row[key];
      if (BOOLEAN_COLUMNS.has(key) && (v === 0 || v === 1)) row[key] = v === 1;
      else if (JSON_COLUMNS.has(key) && typeof v === 'string') {
        try {
          row[key] = JSON.parse(v);
        } catch {
          // A user's own column with the same name: keep the text.
        }
      }
    }
  }
  return rows;
}
