import { z } from 'zod';

/**
 * The HTTP API's contract: every request and response body as a zod schema. The server turns
 * them into the route schemas Fastify validates with (and the OpenAPI document shows); the typed
 * client (`client.ts`) takes its types from the same schemas, so the two cannot drift apart.
 */

/** Every error response: a stable `code` (as Strata's error classes), a message, details. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A revision as the CLI takes it: a branch, tag, commit id or prefix, `HEAD`, `HEAD~2`. */
export const Revision = z.string().min(1).max(256);

/** Paging by count: `limit` items after skipping `offset`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const Ok = z.object({ ok: z.literal(true) });

/** Any JSON value (reports whose shape belongs to a capability, passed through). */
export const AnyJson = z.unknown();
