import type { AssetStore, SearchGrouping } from '../store/asset-store.js';
import { checkSearchLimits, type SearchLimits } from '../store/search-limits.js';
import { InvalidArgumentError } from '../../errors/index.js';

/** Columns stored as JSON text, returned as values. */
const JSON_COLUMNS = new Set(['file_error', 'asset_error', 'coordinate', 'file_traits', 'asset_metadata']);
/** Columns stored as 0/1, returned as booleans. */
const BOOLEAN_COLUMNS = new Set(['asset_valid']);

/** Options of `searchAssets`; each limit left out takes its default (10 s, 100,000 rows, 64 MiB). */
export interface SearchAssetsOptions {
  /** One row per file with its asset's columns (`file`, the default) or one row per asset. */
  readonly grouping?: SearchGrouping;
  /** Time limit in seconds (E_QUERY_TIMEOUT past it). */
  readonly timeoutSeconds?: number;
  /** Row limit (E_QUERY_TOO_LARGE past it). */
  readonly maxRows?: number;
  /** Byte limit of the whole result (E_QUERY_TOO_LARGE past it). */
  readonly maxBytes?: number;
}

/** The store-level limits of these options (defaults for what they leave out); checks each value. */
export function searchLimitsOf(options: SearchAssetsOptions): SearchLimits {
  const { timeoutSeconds, maxRows, maxBytes } = options;
  if (timeoutSeconds !== undefined && !(typeof timeoutSeconds === 'number' && timeoutSeconds > 0))
    throw new InvalidArgumentError('search: the time limit must be a positive number of seconds', {
      timeoutSeconds,
    });
  return checkSearchLimits({
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    maxRows,
    maxBytes,
  });
}

/**
 * Runs one read-only SQL statement over `data`: one row per file with its asset's columns
 * (`file`), or one row per asset (`asset`). Every error column is present (`file_error`,
 * `asset_error`, `asset_valid`). A statement that would write is refused (E_INVALID_ARGUMENT)
 * and nothing changes: the store reads through a read-only connection. The search is bounded:
 * past its time limit it is stopped (E_QUERY_TIMEOUT), past its row or byte limit too
 * (E_QUERY_TOO_LARGE); writers go on meanwhile.
 *
 * @example
 * await searchAssets(store, 'SELECT asset_path FROM data WHERE NOT asset_valid', { timeoutSeconds: 2 });
 */
export async function searchAssets(
  store: AssetStore,
  sql: string,
  options: SearchAssetsOptions = {},
): Promise<Record<string, unknown>[]> {
  if (typeof sql !== 'string' || sql.trim() === '')
    throw new InvalidArgumentError('search: give one SQL statement, e.g. SELECT * FROM data', { sql });
  const rows = await store.search(sql, options.grouping ?? 'file', searchLimitsOf(options));
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
