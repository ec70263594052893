import type Database from 'better-sqlite3';
import type { SearchGrouping } from '../asset-store.js';
import { SearchBudget, type SearchLimits } from '../search-limits.js';
import { InvalidArgumentError } from '../../../errors/index.js';

/** Refuses a grouping other than `file` or `asset` (E_INVALID_ARGUMENT). */
export function checkGrouping(grouping: SearchGrouping): void {
  if (grouping !== 'file' && grouping !== 'asset') {
    throw new InvalidArgumentError(`group by must be 'file' or 'asset', not '${String(grouping)}'`, {
      grouping,
    });
  }
}

/**
 * Prepares a user's statement over the view `data` (one row per file, or per asset) on `db`, and
 * refuses anything that is not a reader (E_INVALID_ARGUMENT). The connection is made query-only
 * afterwards (the temporary view is the last thing it writes), a second lock behind the
 * read-only file handle.
 */
export function prepareSearch(
  db: Database.Database,
  sql: string,
  grouping: SearchGrouping,
): Database.Statement {
  checkGrouping(grouping);
  db.pragma('query_only = OFF');
  db.exec(`DROP VIEW IF EXISTS temp.data; CREATE TEMP VIEW data AS SELECT * FROM main.${grouping}_view`);
  db.pragma('query_only = ON');
  let statement: Database.Statement;
  try {
    statement = db.prepare(sql);
  } catch (err) {
    throw new InvalidArgumentError(`search: ${(err as Error).message}`, { sql });
  }
  if (!statement.reader) {
    throw new InvalidArgumentError('search: only statements that read (SELECT ...) are allowed', { sql });
  }
  return statement;
}

/**
 * Steps through a prepared search row by row (never `.all()`: the result may be unbounded),
 * counting each row against the limits, and hands rows on in batches of about `batchBytes` bytes
 * or at most `maxBatchRows` rows. The first batch is one row and batches double from there, so
 * the first row is seen at once. SQLite's own errors while stepping become E_INVALID_ARGUMENT.
 */
export function* searchBatches(
  statement: Database.Statement,
  limits: SearchLimits,
  maxBatchRows = 1000,
  batchBytes = 1 << 20,
): Generator<Record<string, unknown>[]> {
  const budget = new SearchBudget(limits);
  let batch: Record<string, unknown>[] = [];
  let bytes = 0;
  let batchRows = 1;
  const rows = statement.iterate() as IterableIterator<Record<string, unknown>>;
  try {
    for (;;) {
      let next: IteratorResult<Record<string, unknown>>;
      try {
        next = rows.next();
      } catch (err) {
        throw new InvalidArgumentError(`search: ${(err as Error).message}`, { sql: statement.source });
      }
      if (next.done) break;
      bytes += budget.add(next.value);
      batch.push(next.value);
      if (batch.length >= batchRows || bytes >= batchBytes) {
        yield batch;
        batch = [];
        bytes = 0;
        batchRows = Math.min(maxBatchRows, batchRows * 2);
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    rows.return?.();
  }
}
