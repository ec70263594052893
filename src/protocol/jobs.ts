import { z } from 'zod';

export const JobParams = z.object({ id: z.string().min(1) });
export const JobStarted = z.object({ job: z.string() });
export type JobStarted = z.infer<typeof JobStarted>;
export const JobRecord = z.record(z.string(), z.unknown());
