import { isStrataError } from '../../errors/index.js';

/** One page of a search and the number of rows of the whole result. */
export interface SearchPageResult {
  readonly rows: Record<string, unknown>[];
  /** Null when the caller asked for the page alone (`count: false`). */
  readonly total: number | null;
}

/** Runs one statement (the caller's search with its limits and grouping). */
export type RunStatement = (sql: string) => Promise<Record<string, unknown>[]>;

/**
 * One page of a search, the database doing the paging: the statement runs as a subquery under
 * `LIMIT/OFFSET`, and its count as another (side by side), so however large the result only a
 * page crosses from the database, and the row limit bounds the page, not the result. A statement
 * that cannot be a subquery (a PRAGMA, a trailing comment after `;`) or that is refused runs as
 * given instead: its own answer or refusal, sliced here, within the limits as before.
 */
export async function searchPage(
  sql: string,
  page: { readonly offset: number; readonly limit: number; readonly count?: boolean },
  run: RunStatement,
): Promise<SearchPageResult> {
  const inner = sql.trim().replace(/;\s*$/, '');
  // A newline before the parenthesis: a trailing `-- comment` must not swallow it.
  const paged = `SELECT * FROM (\n${inner}\n) AS page LIMIT ${page.limit} OFFSET ${page.offset}`;
  const counted = `SELECT count(*) AS n FROM (\n${inner}\n) AS counted`;
  try {
    if (page.count === false) return { rows: await run(paged), total: null };
    const [rows, count] = await Promise.all([run(paged), run(counted)]);
    return { rows, total: Number(count[0]?.n ?? 0) };
  } catch (err) {
    // A time or size limit is the answer whatever the form; anything else (a syntax error of the
    // wrapped form, a refusal) is asked of the statement as given, whose error is the user's own.
    if (isStrataError(err) && err.code !== 'E_INVALID_ARGUMENT') throw err;
  }
  const all = await run(sql);
  const rows = all.slice(page.offset, page.offset + page.limit);
  return { rows, total: page.count === false ? null : all.length };
}
