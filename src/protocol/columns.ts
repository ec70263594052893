import { z } from 'zod';
import { Revision } from './common.js';

export const ColumnsQuery = z.object({ revision: Revision.default('HEAD') });
export const ColumnSummary = z.object({
  name: z.string(),
  count: z.number(),
  schema: z.record(z.string(), z.unknown()),
});
export const ColumnList = z.object({ commit: z.string().nullable(), columns: z.array(ColumnSummary) });
export type ColumnList = z.infer<typeof ColumnList>;
export const ColumnParams = z.object({ name: z.string().min(1) });
export const SampleParams = z.object({ name: z.string().min(1), key: z.string().min(1) });
export const SampleQuery = z.object({
  revision: Revision.default('HEAD'),
  format: z.enum(['npy', 'png', 'json']).default('npy'),
});
export const SamplesQuery = z.object({
  revision: Revision.default('HEAD'),
  after: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const Sample = z.object({
  key: z.string(),
  dtype: z.string(),
  shape: z.array(z.number()),
  values: z.array(z.unknown()).optional(),
});
export const SamplePage = z.object({ samples: z.array(Sample), next: z.string().nullable() });
export type SamplePage = z.infer<typeof SamplePage>;
export const ColumnDiffQuery = z.object({ from: Revision.optional(), to: Revision.default('HEAD') });
