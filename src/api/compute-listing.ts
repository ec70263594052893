import type { ComputeProject } from '../compute/compute-project.js';
import type { ComputedResource } from '../compute/computed-resource.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * A computed resource as JSON, the shape of `strata compute show --json` and of the API's
 * resources. `dir` (the output folder on the machine holding the repository) only when asked.
 */
export function computedResourceJson(
  r: ComputedResource,
  options: { withDir?: boolean } = {},
): Record<string, unknown> {
  return {
    collection: r.collection,
    id: r.id,
    args: r.args,
    args_hash: r.argsHash,
    status: r.status,
    stale: r.stale,
    code_version: r.codeVersion ?? null,
    attempts: r.attempts,
    started_at: iso(r.startedAt),
    ended_at: iso(r.endedAt),
    result: r.result ?? null,
    error: r.error ?? null,
    ...(options.withDir ? { dir: r.dir ?? null } : {}),
  };
}

/** Options of `listComputedResources`. */
export interface ComputeListOptions {
  /** Only this status (`pending`, `complete`, `error`). */
  readonly status?: string;
  /** Resources to skip, in id order. Default 0. */
  readonly offset?: number;
  /** At most this many. Default: all. */
  readonly limit?: number;
}

/**
 * One page of a collection's resources in id order, and the offset of the next page (null at
 * the end): `strata compute list` and `GET /api/compute/:collection` both read it.
 */
export async function listComputedResources(
  project: ComputeProject,
  collection: string,
  options: ComputeListOptions = {},
): Promise<{ resources: ComputedResource[]; nextOffset: number | null }> {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? Infinity;
  const resources: ComputedResource[] = [];
  let seen = 0;
  for await (const r of project.list(collection, { status: options.status })) {
    if (seen++ < offset) continue;
    // One more than a page tells whether a next page exists.
    if (resources.length === limit) return { resources, nextOffset: offset + limit };
    resources.push(r);
  }
  return { resources, nextOffset: null };
}
