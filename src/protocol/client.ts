import type { z } from 'zod';
import type { SearchBody } from './assets.js';
import { SearchResult } from './assets.js';
import { ColumnList, SamplePage } from './columns.js';
import { ErrorBody } from './common.js';
import { Health } from './health.js';
import { JobStarted } from './jobs.js';
import { CommitDetails, DiffResult, LogPage, Refs, TreePage } from './repository.js';
import { History } from './workspace.js';

/** An error answer of the API, with the server's stable code and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * A typed client of the HTTP API. Its types and its checks of each answer come from the same
 * protocol schemas the server validates with, so a response that drifts from the contract fails
 * here, loudly, instead of somewhere downstream.
 */
export class StrataClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** One call: JSON in, the parsed answer out; an error answer throws `ApiError`. */
  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; schema?: z.ZodType<T> } = {},
  ): Promise<T> {
    const response = await this.send(method, path, options);
    const json: unknown = await response.json();
    return options.schema ? options.schema.parse(json) : (json as T);
  }

  /** The raw response (downloads, samples); an error answer throws `ApiError`. */
  async send(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (response.status >= 400) {
      const parsed = ErrorBody.safeParse(await response.json().catch(() => null));
      if (!parsed.success) throw new ApiError(response.status, 'E_HTTP', `HTTP ${response.status}`, {});
      const { code, message, data } = parsed.data.error;
      throw new ApiError(response.status, code, message, data);
    }
    return response;
  }

  health(): Promise<Health> {
    return this.request('GET', '/healthz', { schema: Health });
  }
  refs(): Promise<Refs> {
    return this.request('GET', '/api/refs', { schema: Refs });
  }
  createBranch(name: string, start?: string): Promise<unknown> {
    return this.request('POST', '/api/refs/branches', { body: { name, start } });
  }
  log(query: { revision?: string; limit?: number; offset?: number } = {}): Promise<LogPage> {
    return this.request('GET', '/api/log', { query, schema: LogPage });
  }
  commit(revision: string): Promise<CommitDetails> {
    return this.request('GET', `/api/commits/${encodeURIComponent(revision)}`, { schema: CommitDetails });
  }
  diff(query: { from?: string; to?: string } = {}): Promise<DiffResult> {
    return this.request('GET', '/api/diff', { query, schema: DiffResult });
  }
  tree(query: {
    resource: string;
    revision?: string;
    prefix?: string;
    after?: string;
    limit?: number;
  }): Promise<TreePage> {
    return this.request('GET', '/api/tree', { query, schema: TreePage });
  }
  download(
    query: { resource: string; path: string; revision?: string },
    options: { range?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    return this.send('GET', '/api/file', {
      query,
      headers: options.range ? { range: options.range } : {},
      signal: options.signal,
    });
  }
  history(query: { baseline?: string; limit?: number; revision?: string } = {}): Promise<History> {
    return this.request('GET', '/api/history', { query, schema: History });
  }
  columns(revision?: string): Promise<ColumnList> {
    return this.request('GET', '/api/columns', { query: { revision }, schema: ColumnList });
  }
  samples(
    name: string,
    query: { revision?: string; after?: string; limit?: number } = {},
  ): Promise<SamplePage> {
    return this.request('GET', `/api/columns/${encodeURIComponent(name)}/samples`, {
      query,
      schema: SamplePage,
    });
  }
  search(body: SearchBody): Promise<SearchResult> {
    return this.request('POST', '/api/assets/search', { body, schema: SearchResult });
  }
  startJob(path: string, body: unknown = {}): Promise<JobStarted> {
    return this.request('POST', path, { body, schema: JobStarted });
  }
  job(id: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }
}
