import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import * as api from '../../api/index.js';
import { Revision } from '../../protocol/common.js';
import { TreePage, TreeQuery } from '../../protocol/repository.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';
import { parseRange } from '../range.js';
import { sendBatches } from '../send-batches.js';

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
      const headers: Record<string, string | number> = {
        'accept-ranges': 'bytes',
        etag: `"${entry.hash}"`,
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        'content-length': range ? range.end - range.start + 1 : entry.size,
      };
      if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${entry.size}`;
      // Read before any byte is sent: a missing or corrupt start is an error answer, not a cut.
      const batches = await api.openFileContentBatches(repo, entry, range);
      reply.hijack();
      reply.raw.writeHead(range ? 206 : 200, headers);
      if (request.method === 'HEAD') {
        await batches.return?.();
        reply.raw.end();
        return;
      }
      await sendBatches(reply.raw, batches);
    },
  );
}
