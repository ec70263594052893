import { z } from 'zod';
import { Revision } from './common.js';

const csv = z.string().optional();
export const HistoryQuery = z.object({
  revision: Revision.optional(),
  baseline: Revision.optional(),
  maximize: csv,
  minimize: csv,
  limit: z.coerce.number().int().min(0).max(100000).optional(),
  all: z.enum(['true', 'false']).optional(),
});
export const MetricValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);
export const HistoryRow = z.object({
  id: z.string(),
  tags: z.array(z.string()),
  time: z.string(),
  message: z.string(),
  branches: z.array(z.string()),
  metrics: z.record(z.string(), MetricValue),
  compared: z.record(z.string(), z.enum(['better', 'worse', 'same', 'changed'])).optional(),
});
export const History = z.object({
  baseline: z.string().nullable(),
  columns: z.array(z.string()),
  /** Per metric: `maximize`, `minimize`, or absent when unknown. */
  directions: z.record(z.string(), z.string()),
  rows: z.array(HistoryRow),
});
export type History = z.infer<typeof History>;

export const RevisionQuery = z.object({ revision: Revision.optional() });
export const LineageQuery = z.object({
  revision: Revision.optional(),
  format: z.enum(['json', 'graph']).default('json'),
});
