import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import { AnyJson } from '../../protocol/common.js';
import { CollectionParams, ComputeListQuery, ResourceParams } from '../../protocol/compute.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['compute'];
/** Computed resources: counts per status, a collection's resources, one with its log and error. */
export function registerComputeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const withProject = async <T>(work: (project: api.ComputeProject) => Promise<T>): Promise<T> => {
    const project = await api.openComputeProject(ctx.repo);
    try {
      return await work(project);
    } finally {
      await project.close();
    }
  };

  app.get(
    '/api/compute/stats',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'resources per status, per collection',
        tags,
        response: { 200: AnyJson },
      }),
    },
    async () => withProject(async (p) => ({ collections: await p.stats() })),
  );

  app.get(
    '/api/compute/:collection',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "a collection's resources by id, optionally of one status (paged)",
        tags,
        params: CollectionParams,
        querystring: ComputeListQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const { collection } = request.params as z.infer<typeof CollectionParams>;
      const q = request.query as z.infer<typeof ComputeListQuery>;
      return withProject(async (p) => {
        const page = await api.listComputedResources(p, collection, q);
        return {
          resources: page.resources.map((r) => api.computedResourceJson(r)),
          next_offset: page.nextOffset,
        };
      });
    },
  );

  app.get(
    '/api/compute/:collection/:id',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'one computed resource with its log and error',
        tags,
        params: ResourceParams,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const { collection, id } = request.params as z.infer<typeof ResourceParams>;
      return withProject(async (p) => {
        const r = await api.pickComputedResource(p, collection, id, {});
        const log = await p.fetchLog(collection, id, { args: r.args }).catch(() => '');
        return { ...api.computedResourceJson(r), log: String(log) };
      });
    },
  );
}
