// Every request of the UI goes through here: relative to the page's own origin (`/api/…`), with
// the bearer token, and errors turned into ApiError with the server's `{ error: { code, message } }`.
import { forgetToken, readToken } from './token';

/** An error answered by the server (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Fired on `window` when the server refuses the token: the app goes back to the login form. */
export const UNAUTHORIZED_EVENT = 'strata:unauthorized';

export type Query = Record<string, string | number | boolean | undefined | null>;

/** `/api/x` plus the query parameters that are set. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

interface RequestOptions {
  readonly method?: string;
  readonly query?: Query;
  readonly body?: unknown;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** A token to try instead of the saved one (the login form checks it before saving). */
  readonly token?: string;
}

/** Sends one request; resolves with the response when it is 2xx, else throws ApiError. */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  const token = options.token ?? readToken();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'E_NETWORK', `the server did not answer (${(e as Error).message})`);
  }
  if (response.ok) return response;
  const error = await errorOf(response);
  if (response.status === 401 && options.token === undefined) {
    forgetToken();
    window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  }
  throw error;
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; data?: unknown } };
    if (body.error)
      return new ApiError(
        response.status,
        body.error.code ?? `HTTP_${response.status}`,
        body.error.message ?? response.statusText,
        body.error.data,
      );
  } catch {
    // Not JSON (a proxy's page, say): fall through to the status line.
  }
  return new ApiError(response.status, `HTTP_${response.status}`, text.slice(0, 200) || response.statusText);
}

export async function getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { query, signal })).json()) as T;
}

export async function sendJson<T>(path: string, body: unknown, method = 'POST'): Promise<T> {
  const response = await request(path, { method, body });
  const text = await response.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Saves a response body as a file on the user's disk (the token rides in a header, not the URL). */
export async function download(path: string, filename: string, query?: Query): Promise<void> {
  const blob = await (await request(path, { query, accept: '*/*' })).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
