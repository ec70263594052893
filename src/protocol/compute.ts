import { z } from 'zod';

export const CollectionParams = z.object({ collection: z.string().min(1) });
export const ResourceParams = z.object({ collection: z.string().min(1), id: z.string().min(1) });
export const ComputeListQuery = z.object({
  status: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
