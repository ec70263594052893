import { StrataError } from '../api/index.js';

/** No usable bearer token: missing, unknown, expired or revoked (HTTP 401). */
export class UnauthorizedError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_UNAUTHORIZED', message, data, true);
  }
}

/** A valid token whose scope does not cover the route, or a write on a read-only server (HTTP 403). */
export class ForbiddenError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_FORBIDDEN', message, data, true);
  }
}

const STATUS: Readonly<Record<string, number>> = {
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_NOT_A_REPOSITORY: 404,
  E_ALREADY_EXISTS: 409,
  E_CONFLICT: 409,
  E_REF_NAME_CLASH: 409,
  E_NOTHING_TO_COMMIT: 409,
  E_UNCOMMITTED_CHANGES: 409,
  E_DIRTY_RESOURCE: 409,
  E_LINEAGE_CONFLICT: 409,
  E_STAGED_COLUMNS_CONFLICT: 409,
  E_INTERRUPTED_OPERATION: 409,
  E_JOB_ENDED: 409,
  E_QUEUE_UNAVAILABLE: 503,
  E_LOCKED: 423,
  E_LOCK_LOST: 423,
  E_RANGE_NOT_SATISFIABLE: 416,
};

export interface ErrorReply {
  readonly status: number;
  readonly body: { error: { code: string; message: string; data: Record<string, unknown> } };
}

/**
 * The HTTP answer to an error: Strata's own errors keep their code, message and data (a caller's
 * mistake is 4xx, a fault of Strata's 500); Fastify's own (bad JSON, schema mismatch, body too
 * big) become 400-class errors; anything else is a bug: 500 with no details. Never a stack trace.
 */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof StrataError || isStrataLike(err)) {
    const e = err as StrataError;
    const status = STATUS[e.code] ?? (e.userError ? 400 : 500);
    return { status, body: { error: { code: e.code, message: e.message, data: { ...e.data } } } };
  }
  const f = err as { validation?: unknown; statusCode?: number; code?: string; message?: string };
  if (f && Array.isArray(f.validation)) {
    return {
      status: 400,
      body: {
        error: {
          code: 'E_INVALID_REQUEST',
          message: f.message ?? 'the request does not match its schema',
          data: { errors: f.validation },
        },
      },
    };
  }
  if (f && typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    const code =
      f.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || f.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'E_MALFORMED_JSON'
        : 'E_BAD_REQUEST';
    return {
      status: f.statusCode,
      body: { error: { code, message: f.message ?? 'bad request', data: { fastify: f.code ?? null } } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'E_INTERNAL', message: 'internal error (a bug in Strata)', data: {} } },
  };
}

/** Errors from a second copy of Strata's classes (e.g. a module loaded outside the CLI bundle). */
function isStrataLike(err: unknown): boolean {
  const e = err as { code?: unknown; userError?: unknown };
  return typeof e?.code === 'string' && e.code.startsWith('E_') && typeof e.userError === 'boolean';
}
