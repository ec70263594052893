import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as api from '../../api/index.js';
import { Revision } from '../../protocol/common.js';
import { TreePage, TreeQuery } from '../../protocol/repository.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { parseRange } from '../range.js';

const tags = ['files'];
const TreeRequest = TreeQuery.extend({ revision: Revision.default('HEAD'), resource: z.string().min(1) });
const FileRequest = z.object({
  revision: Revision.default('HEAD'),
  resource: z.string().min(1),
  path: z.string().min(1),
});

/** Tree browsing (paged) and file download (streamed, with `Range`) at any revision. */
export function registerFileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repo } = ctx;

  app.get(
    '/api/tree',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "a page of a resource's files at a revision, in path order",
        tags,
        querystring: TreeRequest,
        response: { 200: TreePage },
      }),
    },
    async (request) => {
      const q = request.query as z.infer<typeof TreeRequest>;
      return api.listTree(repo, q);
    },
  );

  app.get(
    '/api/file',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "a file's content at a revision (Range supported)",
        tags,
        querystring: FileRequest,
        response: { 200: 'binary', 206: 'binary' },
      }),
    },
    async (request, reply) => {
      const q = request.query as z.infer<typeof FileRequest>;
      const entry = await api.readFileEntry(repo, q);
      const range = parseRange(request.headers.range, entry.size);
      const name = q.path.split('/').pop()!;
      reply
        .header('accept-ranges', 'bytes')
        .header('etag', `"${entry.hash}"`)
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      if (range === undefined) {
        const stream = await api.openFileContent(repo, entry);
        return reply.header('content-length', entry.size).send(stream);
      }
      const stream = await api.openFileContent(repo, entry, range);
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${entry.size}`)
        .header('content-length', range.end - range.start + 1)
        .send(stream);
    },
  );
}
