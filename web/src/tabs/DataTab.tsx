// Data: an SQL search over the asset tables, one row per file or per asset. Paging and sorting
// run on the server (only one page ever reaches the browser), so a million rows page as fast as
// a hundred. Invalid rows are red, with their errors.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { Pager } from '../components/Pager';
import { countAssets, searchAssets } from '../lib/api';
import { cellText } from '../lib/format';
import type { SearchGrouping } from '../lib/types';

const PAGE_SIZE = 100;
const ERROR_COLUMNS = new Set(['file_error', 'asset_error']);

/** A row is invalid when its asset is, or when it carries a file or asset error. */
export function isInvalidRow(row: Record<string, unknown>): boolean {
  if (row.asset_valid === false || row.asset_valid === 0) return true;
  return [...ERROR_COLUMNS].some((c) => {
    const v = row[c];
    return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  });
}

interface Page {
  readonly rows: readonly Record<string, unknown>[];
  readonly hasMore: boolean;
}

interface Query {
  readonly sql: string;
  readonly grouping: SearchGrouping;
  readonly page: number;
  readonly orderBy?: string;
  readonly descending: boolean;
}

/** Set once, when the first page of rows is on screen (read by the browser benchmark). */
declare global {
  interface Window {
    __strataFirstRows?: number;
  }
}

export function DataTab() {
  const [sql, setSql] = useState('SELECT * FROM data');
  const [grouping, setGrouping] = useState<SearchGrouping>('file');
  const [query, setQuery] = useState<Query>({ sql, grouping, page: 0, descending: false });
  const [result, setResult] = useState<{ page?: Page; error?: Error; ms?: number }>({});
  const [total, setTotal] = useState<number | undefined>();
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);

  useEffect(() => {
    const round = ++latest.current;
    const started = performance.now();
    setBusy(true);
    searchAssets({
      sql: query.sql,
      grouping: query.grouping,
      offset: query.page * PAGE_SIZE,
      limit: PAGE_SIZE,
      orderBy: query.orderBy,
      descending: query.descending,
    })
      .then(
        (page) => round === latest.current && setResult({ page, ms: performance.now() - started }),
        (error: Error) => round === latest.current && setResult({ error }),
      )
      .finally(() => round === latest.current && setBusy(false));
  }, [query]);

  // The total of a statement, once per statement and grouping (paging and sorting keep it).
  useEffect(() => {
    let current = true;
    setTotal(undefined);
    countAssets(query.sql, query.grouping).then(
      (n) => current && setTotal(n),
      () => undefined, // the page's own request reports the statement's error
    );
    return () => {
      current = false;
    };
  }, [query.sql, query.grouping]);

  useEffect(() => {
    if (result.page && window.__strataFirstRows === undefined)
      requestAnimationFrame(() => (window.__strataFirstRows ??= performance.now()));
  }, [result.page]);

  function run(e?: FormEvent) {
    e?.preventDefault();
    setQuery({ sql, grouping, page: 0, descending: false });
  }

  function sortBy(column: string) {
    setQuery((q) => ({
      ...q,
      page: 0,
      orderBy: column,
      descending: q.orderBy === column ? !q.descending : false,
    }));
  }

  const page = result.page;
  const columns = page && page.rows.length > 0 ? Object.keys(page.rows[0]!) : [];
  return (
    <section className="data-tab">
      <form className="sql" onSubmit={run}>
        <textarea
          name="sql"
          spellCheck={false}
          value={sql}
          rows={3}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run();
          }}
        />
        <div className="sql-controls">
          <label>
            Group by{' '}
            <select
              name="grouping"
              value={grouping}
              onChange={(e) => {
                const g = e.target.value as SearchGrouping;
                setGrouping(g);
                setQuery({ sql, grouping: g, page: 0, descending: false });
              }}
            >
              <option value="file">file</option>
              <option value="asset">asset</option>
            </select>
          </label>
          <button type="submit">Search</button>
          <span className="muted">
            {busy ? 'searching…' : result.ms !== undefined ? `${Math.round(result.ms)} ms` : ''}
          </span>
        </div>
      </form>
      <ErrorNote error={result.error} />
      {page && (
        <>
          <Pager
            page={query.page}
            size={PAGE_SIZE}
            total={total}
            shown={page.hasMore ? PAGE_SIZE : page.rows.length}
            onPage={(p) => setQuery((q) => ({ ...q, page: p }))}
          />
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  {columns.map((c) => (
                    <th key={c} onClick={() => sortBy(c)} className="sortable" title="sort">
                      {c}
                      {query.orderBy === c ? (query.descending ? ' ▼' : ' ▲') : ''}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {page.rows.map((row, i) => {
                  const invalid = isInvalidRow(row);
                  return (
                    <tr key={i} className={invalid ? 'invalid' : undefined}>
                      {columns.map((c) => (
                        <td key={c} className={ERROR_COLUMNS.has(c) && row[c] ? 'error-cell' : undefined}>
                          {cellText(row[c])}
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {page.rows.length === 0 && <p className="muted">No rows.</p>}
        </>
      )}
    </section>
  );
}
