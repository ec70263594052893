import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import {
  ColumnDiffQuery,
  ColumnList,
  ColumnParams,
  ColumnsQuery,
  Sample,
  SamplePage,
  SampleParams,
  SampleQuery,
  SamplesQuery,
} from '../../protocol/columns.js';
import { AnyJson } from '../../protocol/common.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['columns'];

/** Columns at a revision: list with schema and counts, samples (npy, PNG, JSON), pages, diffs. */
export function registerColumnRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repo } = ctx;
  const reading = async <T>(revision: string, work: (checkout: api.Checkout) => Promise<T>): Promise<T> => {
    const checkout = await api.openCheckout(repo, { revision });
    try {
      return await work(checkout);
    } finally {
      await checkout.close();
    }
  };

  app.get(
    '/api/columns',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'columns at a revision: schema, counts, sizes',
        tags,
        querystring: ColumnsQuery,
        response: { 200: ColumnList },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof ColumnsQuery>;
      const { commit } = await api.resolveRevision(repo, q.revision);
      if (commit === null) return { commit: null, columns: [] };
      return reading(q.revision, async (checkout) => ({
        commit,
        columns: (await api.summarizeColumns(checkout)).map((s) => ({
          name: s.name,
          count: s.count,
          schema: JSON.parse(JSON.stringify(s)) as Record<string, unknown>,
        })),
      }));
    },
  );

  app.get(
    '/api/columns/:name',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "one column's schema and count",
        tags,
        params: ColumnParams,
        querystring: ColumnsQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const { name } = request.params as z.infer<typeof ColumnParams>;
      const q = request.query as z.infer<typeof ColumnsQuery>;
      return reading(q.revision, async (checkout) => {
        const col = checkout.column(name);
        return { name, count: col.record.count, schema: JSON.parse(JSON.stringify(col.schema)) as unknown };
      });
    },
  );

  app.get(
    '/api/columns/:name/samples',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'a page of samples (dtype, shape, small values) in key order',
        tags,
        params: ColumnParams,
        querystring: SamplesQuery,
        response: { 200: SamplePage },
      }),
    },
    async (request) => {
      const { name } = request.params as z.infer<typeof ColumnParams>;
      const q = request.query as z.infer<typeof SamplesQuery>;
      return reading(q.revision, async (checkout) => {
        const col = checkout.column(name);
        const samples: z.infer<typeof Sample>[] = [];
        let passed = q.after === undefined;
        let next: string | null = null;
        for await (const [key, sample] of col.entries()) {
          const text = String(key);
          if (!passed) {
            passed = text === q.after;
            continue;
          }
          if (samples.length === q.limit) {
            next = samples[samples.length - 1]!.key;
            break;
          }
          samples.push(api.sampleToJson(sample, text, 64));
        }
        return { samples, next };
      });
    },
  );

  app.get(
    '/api/columns/:name/samples/:key',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'one sample as .npy bytes, PNG (uint8 images) or JSON',
        tags,
        params: SampleParams,
        querystring: SampleQuery,
        response: { 200: 'binary' },
      }),
    },
    async (request, reply) => {
      const { name, key } = request.params as z.infer<typeof SampleParams>;
      const q = request.query as z.infer<typeof SampleQuery>;
      return reading(q.revision, async (checkout) => {
        const col = checkout.column(name);
        const sample = await col.get(api.parseColumnKey(key, col.schema.layout));
        if (sample === undefined)
          throw new api.NotFoundError(`column '${name}' has no key ${key}`, { column: name, key });
        if (q.format === 'json')
          return reply.type('application/json').send(JSON.stringify(api.sampleToJson(sample, key)));
        if (q.format === 'png') return reply.type('image/png').send(await api.sampleToPng(sample, key));
        return reply
          .type('application/octet-stream')
          .header('content-disposition', `attachment; filename="${name}-${encodeURIComponent(key)}.npy"`)
          .send(api.sampleToNpy(sample, key));
      });
    },
  );

  app.get(
    '/api/columns-diff',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'column changes between two revisions, per column',
        tags,
        querystring: ColumnDiffQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof ColumnDiffQuery>;
      const to = (await api.resolveRevision(repo, q.to)).commit;
      if (to === null) return { changes: [] };
      const from =
        q.from !== undefined
          ? (await api.resolveRevision(repo, q.from)).commit
          : ((await api.readCommit(repo, to)).parents[0] ?? null);
      return { from, to, changes: await api.diffColumnRevisions(repo, from, to) };
    },
  );
}
