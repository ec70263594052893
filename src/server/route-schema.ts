import { z } from 'zod';
import { ErrorBody } from '../protocol/common.js';
import { recordSource } from './validator.js';

type JsonSchema = Record<string, unknown>;

/**
 * A protocol schema as the JSON Schema (draft 7) Fastify validates with and `@fastify/swagger`
 * publishes. `input` is what a client sends (defaults optional, coercions accepted), `output`
 * what the server answers.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return strip(out) as JsonSchema;
}

/** Drops `propertyNames` (records' string keys), which Fastify's serializer does not know. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'propertyNames') out[k] = strip(v);
  return out;
}

/** A request part's JSON Schema, remembered as coming from `schema` (which validates it). */
function validated(schema: z.ZodType): JsonSchema {
  const out = jsonSchema(schema, 'input');
  recordSource(out, schema);
  return out;
}

const ERROR_STATUSES = [400, 401, 403, 404, 409, 423] as const;

export interface RouteSchemaParts {
  readonly summary: string;
  readonly tags: readonly string[];
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  readonly body?: z.ZodType;
  /** Status → body schema; a status without one (a stream) is described as binary. */
  readonly response?: Readonly<Record<number, z.ZodType | 'binary'>>;
  /** No token needed (health): the OpenAPI document then lists no security for it. */
  readonly public?: boolean;
}

/** The Fastify `schema` of a route, from protocol schemas; every route documents the error body. */
export function routeSchema(parts: RouteSchemaParts): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(parts.response ?? {})) {
    response[status] =
      schema === 'binary'
        ? {
            description: 'bytes',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          }
        : jsonSchema(schema, 'output');
  }
  const error = jsonSchema(ErrorBody, 'output');
  for (const status of ERROR_STATUSES) response[status] ??= error;
  return {
    summary: parts.summary,
    tags: parts.tags,
    security: parts.public ? [] : [{ bearer: [] }],
    ...(parts.params ? { params: validated(parts.params) } : {}),
    ...(parts.querystring ? { querystring: validated(parts.querystring) } : {}),
    ...(parts.body ? { body: validated(parts.body) } : {}),
    response,
  };
}
