// The routes the UI calls, in one place: a change of the server's paths is a change here only.
import { download, getJson, request, sendJson } from './http';
import type {
  AssetNode,
  ColumnSummary,
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

/** One page of an SQL search; sorting and paging run on the server. */
export const searchAssets = (r: SearchRequest) => sendJson<SearchPage>('/api/assets/search', r);

export const assetGraph = () => getJson<AssetNode>('/api/assets/graph');
export const assetConfig = () => getJson<unknown>('/api/assets/config');
export const lineageGraph = () => getJson<LineageGraph>('/api/lineage/graph');

export const history = (baseline?: string) => getJson<HistoryReport>('/api/history', { baseline });

export const diff = (from: string, to: string) =>
  getJson<{ changes: readonly FileChange[] }>('/api/diff', { from, to });

export const commitDetails = (rev: string) =>
  getJson<{ id: string; parents: readonly string[]; message: string; [k: string]: unknown }>(
    `/api/commits/${enc(rev)}`,
  );

export const tree = (rev: string, path: string, offset = 0, limit = 500) =>
  getJson<TreePage>(`/api/tree/${enc(rev)}`, { path, offset, limit });

export const downloadFile = (rev: string, path: string) =>
  download(`/api/files/${enc(rev)}`, path.split('/').pop() ?? 'file', { path });

export const columns = (rev?: string) =>
  getJson<{ columns: readonly ColumnSummary[] }>('/api/columns', { rev });

export const samples = (name: string, offset: number, limit: number) =>
  getJson<SamplePage>(`/api/columns/${enc(name)}/samples`, { offset, limit });

/** One sample: PNG when the server renders it as an image, else `.npy` (or raw bytes / text). */
export const sample = (name: string, key: string, png: boolean) =>
  request(`/api/columns/${enc(name)}/samples/${enc(key)}`, {
    accept: png ? 'image/png, application/octet-stream;q=0.5' : 'application/octet-stream',
    query: png ? { format: 'png' } : {},
  });

export const jobs = () => getJson<{ jobs: readonly Job[] }>('/api/jobs');
export const job = (id: string) => getJson<Job>(`/api/jobs/${enc(id)}`);
export const cancelJob = (id: string) => sendJson<unknown>(`/api/jobs/${enc(id)}/cancel`, {});

export type AssetVerb = 'update' | 'create' | 'export' | 'delete' | 'workflow';
/** Starts an asset operation as a job; the server answers 202 with the job. */
export const startAssetJob = (verb: AssetVerb) => sendJson<Job | { job: Job }>(`/api/assets/${verb}`, {});
