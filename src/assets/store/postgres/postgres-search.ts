import type pg from 'pg';
import { InvalidArgumentError } from '../../../errors/index.js';
import type { SearchGrouping } from '../asset-store.js';
import {
  postgresStatementTimeout,
  SearchBudget,
  searchTimeoutError,
  type SearchLimits,
} from '../search-limits.js';
import { searchRole, searchSchema } from './postgres-asset-store-schema.js';

/**
 * Functions a search may not name anywhere, not even inside a string: `set_config` can switch the
 * role back to the connecting user (`set_config('role', ...)` is checked against the session
 * user, so a superuser connection would undo `SET LOCAL ROLE`), and the others run SQL given as
 * text, which could build that call out of pieces. `U&"..."` names are refused too, since escapes
 * could spell these names.
 */
const FORBIDDEN =
  /\b(set_config|query_to_xml\w*|query_to_xmlschema|cursor_to_xml\w*|ts_stat|dblink\w*)\b|\b(u&)["']/i;

/** The first word a reader may start with, after comments and opening parentheses. */
const READER = /^(select|with|values|table)\b/i;

/** The statement without comments at its start and semicolons at its end. */
function trimStatement(sql: string): string {
  let text = sql.trim();
  for (;;) {
    if (text.startsWith('--')) {
      const end = text.indexOf('\n');
      text = end < 0 ? '' : text.slice(end + 1).trimStart();
    } else if (text.startsWith('/*')) {
      const end = text.indexOf('*/');
      text = end < 0 ? '' : text.slice(end + 2).trimStart();
    } else break;
  }
  return text.replace(/[\s;]+$/, '');
}

/**
 * The reader check made before the server sees the statement (E_INVALID_ARGUMENT): it must start
 * like a query and name no function that escapes the search role. The server checks the rest: the
 * statement becomes a cursor (only a query can, without data-modifying WITH), sent through the
 * extended protocol (one statement only), in a READ ONLY transaction, as the search role.
 */
export function checkPostgresSearch(sql: string): string {
  const text = trimStatement(sql);
  if (!READER.test(text.replace(/^[\s(]+/, '')))
    throw new InvalidArgumentError('search: only statements that read (SELECT ...) are allowed', { sql });
  const forbidden = FORBIDDEN.exec(text);
  if (forbidden)
    throw new InvalidArgumentError(
      forbidden[1]
        ? `search: the function ${forbidden[1]} is not allowed in a search`
        : 'search: Unicode-escaped names and strings (U&) are not allowed in a search',
      { sql },
    );
  return text;
}

/** int8 and numeric as JS numbers when exact (as SQLite gives them), else as text. */
const NUMERIC_TYPES = new Set([20, 1700]);
function parseNumber(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : text;
}

/** SQLSTATE classes that are the statement's fault: syntax, data, privileges, read-only, limits. */
const CALLER_CLASSES = new Set(['0A', '21', '22', '23', '25', '2B', '3F', '42', '44', '54']);

/** Translates a server error of the user's statement; anything else (connection) goes on as is. */
function searchError(err: unknown, sql: string, limits: SearchLimits): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === '57014') return searchTimeoutError(limits);
  if (typeof code === 'string' && CALLER_CLASSES.has(code.slice(0, 2)))
    return Object.assign(
      new InvalidArgumentError(`search: ${(err as Error).message}`, { sql, sqlstate: code }),
      {
        cause: err,
      },
    );
  return err;
}

/**
 * Runs one user search on `client`: in a READ ONLY transaction, with `statement_timeout` set to
 * what is left of the time limit before every fetch (the server stops the statement itself), as
 * the search role when `useRole` (no superuser functions, no other schema, no write), with
 * `search_path` set to the grouping's search schema so `data` is the only relation it names.
 * Rows come through a server-side cursor in growing batches counted against the budget, so a
 * result past the row or byte limit stops early instead of filling memory.
 */
export async function runPostgresSearch(
  client: pg.PoolClient,
  options: {
    readonly schema: string;
    readonly useRole: boolean;
    readonly sql: string;
    readonly grouping: SearchGrouping;
    readonly limits: SearchLimits;
  },
): Promise<Record<string, unknown>[]> {
  const { schema, sql, grouping, limits } = options;
  const text = checkPostgresSearch(sql);
  const budget = new SearchBudget(limits);
  const started = Date.now();
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      NUMERIC_TYPES.has(oid)
        ? parseNumber
        : (client.getTypeParser?.(oid, format as never) ?? ((v: string) => v))) as never,
  };
  const rows: Record<string, unknown>[] = [];
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(postgresStatementTimeout(limits));
    await client.query(`SET LOCAL search_path = "${searchSchema(schema, grouping)}"`);
    if (options.useRole) await client.query(`SET LOCAL ROLE "${searchRole(schema)}"`);
    try {
      // The extended protocol takes one statement only: `SELECT 1; DELETE ...` is a syntax error.
      // (`queryMode` is in pg 8.23 but not yet in @types/pg.)
      const declare = { text: `DECLARE strata_search NO SCROLL CURSOR FOR ${text}`, queryMode: 'extended' };
      await client.query(declare as pg.QueryConfig);
      let batch = 64;
      for (;;) {
        const left = limits.timeoutMs - (Date.now() - started);
        if (left <= 0) throw searchTimeoutError(limits);
        await client.query(postgresStatementTimeout({ ...limits, timeoutMs: left }));
        const result = await client.query<Record<string, unknown>>({
          text: `FETCH ${batch} FROM strata_search`,
          types,
        });
        for (const row of result.rows) {
          budget.add(row);
          rows.push(row);
        }
        if (result.rows.length < batch) break;
        batch = Math.min(batch * 2, 4096, limits.maxRows + 1);
      }
    } catch (err) {
      throw searchError(err, sql, limits);
    }
    if (options.useRole) await checkStillRestricted(client, schema, sql);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
  return rows;
}

/**
 * A second lock behind the name check: if the statement found another way to leave the search
 * role (`SET LOCAL` settings last until the ROLLBACK), its rows are thrown away and the search is
 * refused, so nothing read with the connecting user's rights is returned.
 */
async function checkStillRestricted(client: pg.PoolClient, schema: string, sql: string): Promise<void> {
  const { rows } = await client.query<{ who: string }>('SELECT current_user AS who');
  if (rows[0]?.who !== searchRole(schema))
    throw new InvalidArgumentError('search: the statement changed the role it runs as; refused', { sql });
}
