import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import { AnyJson } from '../../protocol/common.js';
import { History, HistoryQuery, LineageQuery, RevisionQuery } from '../../protocol/workspace.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['workspace'];
const list = (v: string | undefined) => (v ? v.split(',').filter((x) => x !== '') : undefined);

/** Snapshot history with metrics against a baseline, results, lineage (JSON or graph). */
export function registerWorkspaceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repo } = ctx;

  app.get(
    '/api/history',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'snapshots newest first with one column per metric, marked against ?baseline=',
        tags,
        querystring: HistoryQuery,
        response: { 200: History },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof HistoryQuery>;
      const r = await api.historyReport(repo, {
        ...q,
        all: q.all === 'true',
        maximize: list(q.maximize),
        minimize: list(q.minimize),
      });
      return JSON.parse(
        JSON.stringify({
          baseline: r.baseline ?? null,
          columns: r.columns,
          directions: r.directions,
          rows: r.rows,
        }),
      ) as unknown;
    },
  );

  app.get(
    '/api/results',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'what a snapshot filed away: results folder, files, metrics',
        tags,
        querystring: RevisionQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => api.resultsReport(repo, (request.query as z.infer<typeof RevisionQuery>).revision),
  );

  app.get(
    '/api/lineage',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'the lineage a snapshot stored: its section and steps as recorded (json), or as a graph',
        tags,
        querystring: LineageQuery,
        response: { 200: AnyJson },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof LineageQuery>;
      const recorded = await api.readSnapshotLineage(repo, q.revision ?? 'HEAD');
      if (q.format === 'graph') return api.buildLineageGraph(recorded);
      return { ...(await api.lineageReport(repo, q.revision)), steps: recorded.steps };
    },
  );
}
