import type { FastifyInstance } from 'fastify';
import { readHead } from '../../api/index.js';
import { Health } from '../../protocol/health.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

/** Why a check failed, in a few words (never a stack or a connection string). */
const failure = (err: unknown) => `failed: ${(err as { code?: string }).code ?? 'error'}`;

/**
 * `/healthz`: live (the process answers) and ready (the catalog answers a query and the store
 * holds HEAD's commit). Public: load balancers probe it without a token. 503 when not ready.
 */
export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: routeSchema({
        summary: 'liveness and readiness',
        tags: ['health'],
        public: true,
        response: { 200: Health, 503: Health },
      }),
    },
    async (_request, reply) => {
      let catalog = 'ok';
      let store = 'ok';
      let head: string | null = null;
      try {
        head = (await readHead(ctx.repo)).commit;
      } catch (err) {
        catalog = failure(err);
      }
      try {
        if (head !== null && !(await ctx.repo.store.has(head))) store = 'failed: HEAD commit missing';
        else if (head === null) await ctx.repo.store.hasMany([]);
      } catch (err) {
        store = failure(err);
      }
      const ready = catalog === 'ok' && store === 'ok';
      return reply.code(ready ? 200 : 503).send({ live: true, ready, checks: { catalog, store } });
    },
  );
}
