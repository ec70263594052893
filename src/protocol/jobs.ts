import { z } from 'zod';

export const JobParams = z.object({ id: z.string().min(1) });
export const JobStarted = z.object({ job: z.string() });
export type JobStarted = z.infer<typeof JobStarted>;
export const JobRecord = z.record(z.string(), z.unknown());

/** `POST /api/assets/workflow`: the steps to run in order; default the asset config's `workflow`. */
export const WorkflowBody = z.strictObject({
  steps: z
    .array(z.enum(['delete', 'update', 'create', 'export']))
    .min(1)
    .max(32)
    .optional(),
});
export type WorkflowBody = z.infer<typeof WorkflowBody>;

/**
 * `POST /api/columns/:name/import`: a file or folder inside the served repository (relative to
 * its root; `..` and absolute paths are refused), imported as samples keyed `start`, `start+1`, …
 */
export const ColumnImportBody = z.strictObject({
  path: z.string().min(1).max(4096),
  create: z.boolean().default(false),
  start: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
export type ColumnImportBody = z.infer<typeof ColumnImportBody>;

/** `POST /api/merge`: merge a revision into the served working folder's branch. */
export const MergeBody = z.strictObject({
  revision: z.string().min(1).max(256),
  strategy: z.enum(['ours', 'theirs']).optional(),
  message: z.string().min(1).max(10_000).optional(),
});
export type MergeBody = z.infer<typeof MergeBody>;

/**
 * `POST /api/compute/:collection/run`: fetch (compute what is missing) these ids of a collection
 * the server's config names; the request never names code (unknown keys such as `module` are refused).
 */
export const ComputeRunBody = z.strictObject({
  ids: z.array(z.string().min(1).max(1024)).min(1).max(100_000),
  args: z.unknown().optional(),
  recompute: z.boolean().default(false),
});
export type ComputeRunBody = z.infer<typeof ComputeRunBody>;
