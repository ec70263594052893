import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';

/** The protocol schema each generated JSON Schema came from (`route-schema.ts` records them). */
const sources = new WeakMap<object, z.ZodType>();

export function recordSource(jsonSchema: object, schema: z.ZodType): void {
  sources.set(jsonSchema, schema);
}

/**
 * Requests are validated by the protocol's zod schemas themselves (the JSON Schemas are for the
 * OpenAPI document): one source of truth. Query strings and path parameters coerce where their
 * schema says (`z.coerce.number()` for `?limit=10`); JSON bodies never do: `{"name": 42}` where a
 * string belongs is a 400, not a branch named "42". Defaults fill in what a request leaves out.
 */
export function validatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  return ({ schema, httpPart, url, method }) => {
    const source = sources.get(schema as object);
    if (!source) throw new Error(`${method} ${url}: the ${httpPart} schema does not come from src/protocol`);
    return (data: unknown) => {
      const result = source.safeParse(data);
      if (result.success) return { value: result.data };
      const issue = result.error.issues[0]!;
      const where = [httpPart ?? 'request', ...issue.path.map(String)].join('/');
      const err = new Error(`${where}: ${issue.message}`) as Error & { validation: unknown };
      err.validation = result.error.issues.map((i) => ({
        path: i.path.map(String),
        message: i.message,
        code: i.code,
      }));
      return { error: err };
    };
  };
}
