import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import { AssetsQuery, SearchBody, SearchResult } from '../../protocol/assets.js';
import { AnyJson } from '../../protocol/common.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['assets'];

/** Asset tables: read grouped by file or asset, read-only SQL search, graph, redacted config. */
export function registerAssetRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const root = ctx.repo.root;
  const tables = ctx.repo.ports.get(api.ASSET_STORE);
  const search = async (
    sql: string,
    body: {
      group_by: 'file' | 'asset';
      timeout_seconds?: number;
      max_rows?: number;
      offset: number;
      limit: number;
      count?: boolean;
    },
  ) => {
    const pipeline = await api.loadAssetPipeline();
    // The request may ask for less time than the server allows, never more.
    const timeoutSeconds = Math.min(
      body.timeout_seconds ?? ctx.searchTimeoutSeconds,
      ctx.searchTimeoutSeconds,
    );
    const page = await pipeline.runSearchPage(root, tables, sql, {
      grouping: body.group_by,
      timeoutSeconds,
      maxRows: body.max_rows,
      offset: body.offset,
      limit: body.limit,
      count: body.count,
    });
    return { rows: page.rows, total: page.total, offset: body.offset };
  };

  app.get(
    '/api/assets',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'the asset tables, one row per asset or per file (paged)',
        tags,
        querystring: AssetsQuery,
        response: { 200: SearchResult },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof AssetsQuery>;
      return search('SELECT * FROM data', { group_by: q.group_by, offset: q.offset, limit: q.limit });
    },
  );

  app.post(
    '/api/assets/search',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'one read-only SQL statement over `data`, with a time limit; writes refused',
        tags,
        body: SearchBody,
        response: { 200: SearchResult },
      }),
    },
    async (request) => {
      const body = request.body as z.infer<typeof SearchBody>;
      return search(body.sql, body);
    },
  );

  app.get(
    '/api/assets/graph',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'folders and assets as a tree, with validity',
        tags,
        response: { 200: AnyJson },
      }),
    },
    async () => (await api.loadAssetPipeline()).runGraph(tables),
  );

  app.get(
    '/api/assets/config',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: 'the asset config with secrets redacted',
        tags,
        response: { 200: AnyJson },
      }),
    },
    async () => {
      const pipeline = await api.loadAssetPipeline();
      return pipeline.redactedConfig(pipeline.loadAssetConfig(root, undefined, process.env));
    },
  );
}
