import { z } from 'zod';

export const AssetsQuery = z.object({
  group_by: z.enum(['file', 'asset']).default('asset'),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export const SearchBody = z.object({
  sql: z.string().min(1).max(100_000),
  group_by: z.enum(['file', 'asset']).default('file'),
  /** Capped by the server's own limit: a client may ask for less time, never more. */
  timeout_seconds: z.number().positive().max(600).optional(),
  max_rows: z.number().int().positive().optional(),
  /** Server-side paging of the result. */
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(10_000).default(1000),
  /** `false`: skip counting the whole result (`total` is null); a page alone answers sooner. */
  count: z.boolean().default(true),
});
export type SearchBody = z.input<typeof SearchBody>;
export const SearchResult = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  /** Rows of the whole result; null when the request asked not to count. */
  total: z.number().int().nullable(),
  offset: z.number().int(),
});
export type SearchResult = z.infer<typeof SearchResult>;
export const AssetJobBody = z.object({}).strict();
