import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as api from '../../api/index.js';
import { CollectionParams } from '../../protocol/compute.js';
import {
  ColumnImportBody,
  ComputeRunBody,
  JobStarted,
  MergeBody,
  WorkflowBody,
} from '../../protocol/jobs.js';
import type { ServerContext } from '../context.js';
import { repositoryPath } from '../job-kinds.js';
import type { ServerJobs } from '../job-runner.js';
import { routeSchema } from '../route-schema.js';

const ColumnParams = z.object({ name: z.string().min(1).max(256) });
const NoBody = z.object({}).strict().optional();

/**
 * The routes that start long operations: each answers 202 with the job's id at once; the job
 * is followed at `/api/jobs/:id` (and its SSE stream) and cancelled there. What can be checked
 * before the job starts (a path, a revision, a collection) is checked here: bad input is a 400
 * or 404 of the request, not a failed job.
 */
export function registerJobStartRoutes(app: FastifyInstance, ctx: ServerContext, jobs: ServerJobs): void {
  const started = async (kind: string, config: api.JobRecord['config'] = {}) => ({
    job: (await jobs.startJob(kind, config)).id,
  });
  const tags = (capability: string) => [capability, 'jobs'];

  const assetJob = (path: string, kind: string, summary: string) =>
    app.post(
      path,
      {
        config: { access: 'write' },
        schema: routeSchema({ summary, tags: tags('assets'), body: NoBody, response: { 202: JobStarted } }),
      },
      async (_request, reply) => reply.code(202).send(await started(kind)),
    );
  assetJob(
    '/api/assets/update',
    'assets.update',
    'start an asset update (job): reads the ingress folder into the asset tables',
  );
  assetJob(
    '/api/assets/create',
    'assets.create',
    "start an asset create (job): stages the valid assets and commits them as the 'assets' resource",
  );
  assetJob(
    '/api/assets/delete',
    'assets.delete',
    'start an asset delete (job): removes the staged content and metadata (the commits that versioned them stay)',
  );
  assetJob(
    '/api/assets/export',
    'assets.export',
    'start an asset export (job): the staging to every configured exporter, then the webhooks',
  );

  app.post(
    '/api/assets/workflow',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: "start an asset workflow (job): the steps given, else the config's `workflow`",
        tags: tags('assets'),
        body: WorkflowBody,
        response: { 202: JobStarted },
      }),
    },
    async (request, reply) =>
      reply.code(202).send(await started('assets.workflow', (request.body ?? {}) as api.JobRecord['config'])),
  );

  app.post(
    '/api/columns/:name/import',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary:
          'start a column import (job) from a file or folder inside the repository; staged, not committed',
        tags: tags('columns'),
        params: ColumnParams,
        body: ColumnImportBody,
        response: { 202: JobStarted },
      }),
    },
    async (request, reply) => {
      const { name } = request.params as z.infer<typeof ColumnParams>;
      const body = request.body as ColumnImportBody;
      repositoryPath(ctx.repo.root, body.path);
      return reply.code(202).send(await started('columns.import', { ...body, column: name }));
    },
  );

  app.post(
    '/api/merge',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: "start a merge (job) of a revision into the served working folder's branch",
        tags: tags('repository'),
        body: MergeBody,
        response: { 202: JobStarted },
      }),
    },
    async (request, reply) => {
      const body = request.body as MergeBody;
      await api.resolveRevision(ctx.repo, body.revision);
      return reply.code(202).send(await started('merge', body));
    },
  );

  app.post(
    '/api/compute/:collection/run',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: "start a compute run (job): fetch these ids of a collection the server's own config names",
        tags: tags('compute'),
        params: CollectionParams,
        body: ComputeRunBody,
        response: { 202: JobStarted },
      }),
    },
    async (request, reply) => {
      const { collection } = request.params as z.infer<typeof CollectionParams>;
      if (!jobs.config.collections.has(collection))
        throw new api.NotFoundError(`the server's config names no collection '${collection}' to compute`, {
          what: 'collection',
          collection,
        });
      const body = request.body as ComputeRunBody;
      return reply
        .code(202)
        .send(await started('compute.run', { ...body, collection } as api.JobRecord['config']));
    },
  );
}
