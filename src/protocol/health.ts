import { z } from 'zod';

export const Health = z.object({
  live: z.boolean(),
  ready: z.boolean(),
  checks: z.object({ catalog: z.string(), store: z.string() }),
});
export type Health = z.infer<typeof Health>;
