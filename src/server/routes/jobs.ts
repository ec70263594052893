import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as api from '../../api/index.js';
import { AnyJson } from '../../protocol/common.js';
import { JobParams } from '../../protocol/jobs.js';
import type { ServerContext } from '../context.js';
import type { ServerJobs } from '../job-runner.js';
import { routeSchema } from '../route-schema.js';

const tags = ['jobs'];
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Long operations as jobs: start (202 + id), read, follow (SSE), cancel. */
export function registerJobRoutes(app: FastifyInstance, ctx: ServerContext, jobs: ServerJobs): void {
  // A leased job still waiting for another job or a run slot has not started: it shows queued,
  // with what it waits for (the queue itself calls it running).
  const view = (job: api.JobRecord) => {
    const waiting = job.state === 'running' ? (jobs.waitingFor(job.id) ?? null) : null;
    return {
      ...job,
      state: waiting ? ('queued' as const) : job.state,
      waiting,
      progress: jobs.taskProgress(job.id) ?? null,
      result: jobs.result(job.id) ?? null,
    };
  };
  const find = async (id: string) => {
    const job = await jobs.queue.getJob(id);
    if (!job) throw new api.NotFoundError(`no job ${id}`, { what: 'job', id });
    return job;
  };

  app.get(
    '/api/jobs',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'jobs, newest first',
        tags,
        querystring: ListQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const { limit } = request.query as z.infer<typeof ListQuery>;
      return { jobs: (await jobs.queue.listJobs({ limit })).map(view) };
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary:
          "one job: state (queued while it waits for another job's writes or a run slot: `waiting` says which), task counts, progress, errors",
        tags,
        params: JobParams,
        response: { 200: AnyJson },
      }),
    },
    async (request) => view(await find((request.params as z.infer<typeof JobParams>).id)),
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'cancel a job (its running task stops; nothing half-committed)',
        tags,
        params: JobParams,
        response: { 200: AnyJson },
      }),
    },
    async (request) => view(await jobs.cancel((request.params as z.infer<typeof JobParams>).id)),
  );

  app.get(
    '/api/jobs/:id/events',
    {
      config: { access: 'read', queryToken: true },
      schema: routeSchema({
        summary:
          'server-sent events: the job after each change, until it ends (EventSource may pass ?access_token=)',
        tags,
        params: JobParams,
        response: { 200: 'binary' },
      }),
    },
    async (request, reply) => {
      const id = (request.params as z.infer<typeof JobParams>).id;
      await find(id);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      let last = '';
      const send = (job: api.JobRecord) => {
        const data = JSON.stringify(view(job));
        if (data === last) return;
        last = data;
        out.write(`event: job\ndata: ${data}\n\n`);
      };
      // The queue reports state and task counts; the task's own progress is polled beside it.
      const stop = jobs.queue.subscribe(
        id,
        ({ job }) => {
          send(job);
          if (api.isTerminalJobState(job.state)) finish();
        },
        { intervalMs: 200 },
      );
      const unlisten = jobs.onProgress(id, () => {
        void jobs.queue.getJob(id).then(
          (job) => job && !api.isTerminalJobState(job.state) && send(job),
          () => {},
        );
      });
      const finish = () => {
        stop();
        unlisten();
        out.end();
      };
      request.raw.on('close', finish);
    },
  );
  void ctx;
}
