import type { Repository, TokenScope } from '../api/index.js';

/** What every route module gets: the one open repository and how the server was started. */
export interface ServerContext {
  readonly repo: Repository;
  readonly readOnly: boolean;
  /** Upper bound on an SQL search's time, whatever the request asks. */
  readonly searchTimeoutSeconds: number;
}

/** What a route needs of a token; `public` routes (health, the UI) need none. */
export type RouteAccess = TokenScope | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** The token may come as `?access_token=` (EventSource cannot set headers). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    tokenName?: string;
  }
}
