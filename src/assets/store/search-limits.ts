/**
 * Limits of one user search (`assets search`, later the server): a time limit, a row limit and a
 * byte limit, so a runaway statement (a recursive CTE without end, a cross join, huge strings)
 * stops with a clear error instead of running forever or filling memory.
 *
 * Every asset-store adapter enforces all three. The SQLite adapter runs the statement in a child
 * process that is killed at the time limit (better-sqlite3 has no interrupt, and a worker thread
 * cannot be terminated while SQLite runs). The PostgreSQL adapter runs it in a `READ ONLY`
 * transaction after `postgresStatementTimeout(limits)` and reads it through a cursor into a
 * `SearchBudget`: the server then stops the statement itself (see `postgres/postgres-search.ts`).
 */
import { InvalidArgumentError, QueryTimeoutError, QueryTooLargeError } from '../../errors/index.js';

/** The limits of one search. */
export interface SearchLimits {
  /** Wall time from the statement's start to its last row, in milliseconds. */
  readonly timeoutMs: number;
  /** Rows in the result. */
  readonly maxRows: number;
  /** Bytes in the result, as counted by `rowBytes`. */
  readonly maxBytes: number;
}

/** 10 s, 100,000 rows, 64 MiB: a generous interactive search that cannot take the machine down. */
export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  timeoutMs: 10_000,
  maxRows: 100_000,
  maxBytes: 64 * 1024 * 1024,
};

/** The defaults with the given values over them; each must be a positive number (rows, bytes whole). */
export function checkSearchLimits(given: Partial<SearchLimits> = {}): SearchLimits {
  const limits = { ...DEFAULT_SEARCH_LIMITS };
  for (const key of ['timeoutMs', 'maxRows', 'maxBytes'] as const) {
    const value = given[key];
    if (value === undefined) continue;
    const whole = key !== 'timeoutMs';
    if (
      typeof value !== 'number' ||
      !(value > 0) ||
      !Number.isFinite(value) ||
      (whole && !Number.isInteger(value))
    )
      throw new InvalidArgumentError(`search: ${key} must be a positive ${whole ? 'whole ' : ''}number`, {
        [key]: value,
      });
    limits[key] = value;
  }
  return limits;
}

/**
 * The size of a row as the budget counts it: UTF-8 bytes of text and column names, the length of
 * blobs, 8 bytes per number, 4 per null. Close to the row's size once printed, cheap to compute.
 */
export function rowBytes(row: Readonly<Record<string, unknown>>): number {
  let n = 0;
  for (const key in row) {
    n += key.length;
    const v = row[key];
    if (typeof v === 'string') n += Buffer.byteLength(v, 'utf8');
    else if (v instanceof Uint8Array) n += v.byteLength;
    else if (v === null || v === undefined) n += 4;
    else n += 8;
  }
  return n;
}

/** Counts a result's rows and bytes and throws E_QUERY_TOO_LARGE as soon as one passes its limit. */
export class SearchBudget {
  #rows = 0;
  #bytes = 0;

  constructor(private readonly limits: SearchLimits) {}

  /** Counts one row and returns its size; throws QueryTooLargeError when it is one too many or too big. */
  add(row: Readonly<Record<string, unknown>>): number {
    this.#rows += 1;
    if (this.#rows > this.limits.maxRows) throw tooManyRows(this.limits.maxRows);
    const size = rowBytes(row);
    this.#bytes += size;
    if (this.#bytes > this.limits.maxBytes) throw tooManyBytes(this.limits.maxBytes);
    return size;
  }
}

function tooManyRows(max: number): QueryTooLargeError {
  return new QueryTooLargeError(
    `search: more than ${max} rows; narrow the query (WHERE, LIMIT) or raise the limit with --max-rows N (asset config: search.max_rows)`,
    { limit: 'rows', max, option: '--max-rows', configKey: 'search.max_rows' },
  );
}

function tooManyBytes(max: number): QueryTooLargeError {
  return new QueryTooLargeError(
    `search: result larger than ${max} bytes; select fewer or smaller columns, or raise the limit with --max-bytes N (asset config: search.max_bytes)`,
    { limit: 'bytes', max, option: '--max-bytes', configKey: 'search.max_bytes' },
  );
}

/** The error of a search stopped at its time limit. */
export function searchTimeoutError(limits: SearchLimits): QueryTimeoutError {
  const seconds = limits.timeoutMs / 1000;
  return new QueryTimeoutError(
    `search: stopped after ${seconds} s (time limit); narrow the query or raise the limit with --timeout SECONDS (asset config: search.timeout_seconds)`,
    { limit: 'time', seconds, option: '--timeout', configKey: 'search.timeout_seconds' },
  );
}

/**
 * The statement a PostgreSQL adapter runs first, inside the search's transaction, so the server
 * cancels the query at the time limit (`SET LOCAL`: the setting ends with the transaction).
 */
export function postgresStatementTimeout(limits: SearchLimits): string {
  return `SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(limits.timeoutMs))}`;
}
