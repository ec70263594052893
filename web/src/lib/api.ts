// The routes the UI calls, in one place: a change of the server's paths is a change here only.
// Shapes follow the server's protocol schemas (src/protocol/).
import { download, getJson, request, sendJson } from './http';
import type {
  AssetNode,
  ColumnSummary,
  CommitDetails,
  FileChange,
  HistoryReport,
  Job,
  LineageGraph,
  RefsAnswer,
  SamplePage,
  SearchGrouping,
  SearchPage,
  TreePage,
} from './types';

const enc = encodeURIComponent;

/** Checks a token before it is saved: any authenticated read will do. */
export async function checkToken(token: string): Promise<void> {
  await request('/api/refs', { token });
}

export const refs = () => getJson<RefsAnswer>('/api/refs');

export interface SearchRequest {
  readonly sql: string;
  readonly grouping: SearchGrouping;
  readonly offset: number;
  readonly limit: number;
  readonly orderBy?: string;
  readonly descending?: boolean;
}

/**
 * The statement that sorts a search's result by one of its columns: the user's statement as a
 * subquery, so the database sorts (and the server pages) however large the result.
 */
export function sortedSql(sql: string, orderBy: string | undefined, descending = false): string {
  if (orderBy === undefined) return sql;
  const inner = sql.trim().replace(/;\s*$/, '');
  return `SELECT * FROM (${inner}) AS sorted ORDER BY "${orderBy.replace(/"/g, '""')}" ${descending ? 'DESC' : 'ASC'}`;
}

const unterminated = (sql: string) => sql.trim().replace(/;\s*$/, '');

/**
 * One page of an SQL search. Sorting and paging are pushed into the statement (a subquery with
 * ORDER BY / LIMIT / OFFSET), so the database reads one page, however large the result; one row
 * more than asked says whether a next page exists. The total comes from `countAssets`.
 */
export async function searchAssets(
  r: SearchRequest,
): Promise<{ rows: SearchPage['rows']; hasMore: boolean }> {
  const sorted = unterminated(sortedSql(r.sql, r.orderBy, r.descending));
  const answer = await sendJson<SearchPage>('/api/assets/search', {
    sql: `SELECT * FROM (${sorted}) AS page LIMIT ${r.limit + 1} OFFSET ${r.offset}`,
    group_by: r.grouping,
    offset: 0,
    limit: r.limit + 1,
    // The page alone: the total is `countAssets`'s own request, so the page never waits for it.
    count: false,
  });
  return { rows: answer.rows.slice(0, r.limit), hasMore: answer.rows.length > r.limit };
}

/** How many rows a search has in all (asked beside the first page, never blocking it). */
export async function countAssets(sql: string, grouping: SearchGrouping): Promise<number> {
  const answer = await sendJson<SearchPage>('/api/assets/search', {
    sql: `SELECT COUNT(*) AS n FROM (${unterminated(sql)}) AS counted`,
    group_by: grouping,
  });
  return Number(answer.rows[0]?.n ?? 0);
}

export const assetGraph = () => getJson<AssetNode>('/api/assets/graph');
export const assetConfig = () => getJson<unknown>('/api/assets/config');
export const lineageGraph = () => getJson<LineageGraph>('/api/lineage', { format: 'graph' });

export const history = (baseline?: string) => getJson<HistoryReport>('/api/history', { baseline });

/** Changes between two revisions; without `from`, those `to` made on its first parent. */
export const diff = (from: string | undefined, to: string) =>
  getJson<{ from: string | null; to: string; changes: readonly FileChange[] }>('/api/diff', { from, to });

export const commitDetails = (revision: string) => getJson<CommitDetails>(`/api/commits/${enc(revision)}`);

/** A page of one resource's files at a revision, in path order, from the cursor `after`. */
export const tree = (revision: string, resource: string, prefix: string, after?: string, limit = 200) =>
  getJson<TreePage>('/api/tree', { revision, resource, prefix, after, limit });

export const downloadFile = (revision: string, resource: string, path: string) =>
  download('/api/file', path.split('/').pop() ?? 'file', { revision, resource, path });

export const columns = (revision = 'HEAD') =>
  getJson<{ commit: string | null; columns: readonly ColumnSummary[] }>('/api/columns', { revision });

export const samples = (name: string, after: string | undefined, limit: number) =>
  getJson<SamplePage>(`/api/columns/${enc(name)}/samples`, { after, limit });

/** One sample as `.npy` bytes, or rendered as PNG by the server. */
export const sample = (name: string, key: string, format: 'npy' | 'png') =>
  request(`/api/columns/${enc(name)}/samples/${enc(key)}`, { accept: '*/*', query: { format } });

export const jobs = () => getJson<{ jobs: readonly Job[] }>('/api/jobs', { limit: 50 });
export const job = (id: string) => getJson<Job>(`/api/jobs/${enc(id)}`);
export const cancelJob = (id: string) => sendJson<unknown>(`/api/jobs/${enc(id)}/cancel`, {});

export type AssetVerb = 'update' | 'create' | 'export' | 'delete' | 'workflow';
/** Starts an asset operation as a job; the server answers 202 with the job's id. */
export const startAssetJob = (verb: AssetVerb, body: Record<string, unknown> = {}) =>
  sendJson<{ job: string }>(`/api/assets/${verb}`, body);

/** Imports a file or folder of the repository into a column, as a job. */
export const startColumnImport = (column: string, body: { path: string; create?: boolean; start?: number }) =>
  sendJson<{ job: string }>(`/api/columns/${enc(column)}/import`, body);

/** Merges a revision into the served working folder's branch, as a job. */
export const startMerge = (body: { revision: string; strategy?: 'ours' | 'theirs'; message?: string }) =>
  sendJson<{ job: string }>('/api/merge', body);

/** Computes ids of a collection the server's config names, as a job. */
export const startComputeRun = (
  collection: string,
  body: { ids: string[]; args?: unknown; recompute?: boolean },
) => sendJson<{ job: string }>(`/api/compute/${enc(collection)}/run`, body);

/**
 * Follows a job over server-sent events (`event: job`, the record after each change) until it
 * ends; returns the stop. EventSource cannot send headers: the token goes as `access_token`.
 */
export function followJob(id: string, token: string, onJob: (job: Job) => void): () => void {
  const source = new EventSource(`/api/jobs/${enc(id)}/events?access_token=${encodeURIComponent(token)}`);
  source.addEventListener('job', (e) => onJob(JSON.parse((e as MessageEvent<string>).data) as Job));
  // The server closes the stream when the job ends; do not let EventSource reconnect then.
  source.onerror = () => source.close();
  return () => source.close();
}
