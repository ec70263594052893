import assert from 'node:assert/strict';
import type { StrataClient } from '../../protocol/client.js';

/** A job as `GET /api/jobs/:id` and its event stream show it. */
export interface JobView {
  id: string;
  kind: string;
  state: string;
  progress: { done: number; total: number } | null;
  result?: unknown;
  errors?: unknown[];
  [key: string]: unknown;
}

/** Reads a job's server-sent events, calling `onJob` for each, until the stream ends or it returns true. */
export async function follow(
  url: string,
  token: string,
  onJob: (job: JobView) => boolean | Promise<boolean>,
): Promise<JobView[]> {
  const response = await fetch(`${url}?access_token=${encodeURIComponent(token)}`);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: JobView[] = [];
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return seen;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const job = JSON.parse(data.slice(6)) as JobView;
      seen.push(job);
      if (await onJob(job)) {
        await reader.cancel();
        return seen;
      }
    }
  }
}

/** Starts a job at `path` and follows its event stream to the end; the final record (read back). */
export async function runJob(
  serverUrl: string,
  client: StrataClient,
  token: string,
  path: string,
  body: unknown = {},
): Promise<JobView> {
  const { job } = await client.startJob(path, body);
  await follow(`${serverUrl}/api/jobs/${job}/events`, token, () => false);
  return (await client.job(job)) as unknown as JobView;
}
