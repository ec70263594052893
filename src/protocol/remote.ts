import { z } from 'zod';

/**
 * The remote protocol of `strata serve` (`/api/remote/…`), what `strata push`, `fetch` and `clone`
 * speak to an `http(s)://` remote. Negotiation and downloads go in batches of ids (never one
 * request per object); objects travel as frames (`remote-frames.ts`), streamed both ways.
 */

/** The remote protocol version; a server answering a higher one was made by a newer Strata. */
export const REMOTE_PROTOCOL = 1;
/** Ids per `have`, `sizes` or `objects` request. */
export const REMOTE_BATCH = 2000;

const Id = z.string().regex(/^[0-9a-f]{64}$/);
const RefName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^refs\/(heads|tags)\//);

export const RemoteRefBody = z.object({ name: z.string(), target: z.string() });
export const RemoteInfoBody = z.object({
  protocol: z.number().int(),
  head: z.string().nullable(),
  bare: z.boolean(),
  refs: z.array(RemoteRefBody),
});
export type RemoteInfoBody = z.infer<typeof RemoteInfoBody>;

export const IdBatch = z.object({ ids: z.array(Id).max(REMOTE_BATCH) });
export const HaveResult = z.object({ have: z.array(z.string()) });
export const SizesResult = z.object({ sizes: z.record(z.string(), z.number().int().min(0)) });
export const PackResult = z.object({ objects: z.number().int(), bytes: z.number().int() });
export const ObjectParams = z.object({ id: Id });

export const RefUpdateBody = z.object({ name: RefName, target: Id, expected: Id.nullable() });
