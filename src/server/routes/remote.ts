import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import * as api from '../../api/index.js';
import { Ok } from '../../protocol/common.js';
import {
  HaveResult,
  IdBatch,
  ObjectParams,
  PackResult,
  RefUpdateBody,
  RemoteInfoBody,
  SizesResult,
} from '../../protocol/remote.js';
import type { ServerContext } from '../context.js';
import { routeSchema } from '../route-schema.js';

const tags = ['remote'];
/** Id batches are JSON of up to 2,000 ids (~140 KB); room for the largest with margin. */
const ID_BATCH_BODY_LIMIT = 1 << 20;

/**
 * The remote protocol (what `strata push/fetch/clone http://…` speak): refs, batched negotiation,
 * streamed object downloads and pack uploads, and the compare-and-swap that moves a ref. Reading
 * needs a read token, uploading and moving refs a write token.
 */
export function registerRemoteRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { repo } = ctx;
  // Pack uploads arrive as a stream of frames: handed to the route unread, never buffered whole.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.get(
    '/api/remote',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "the remote protocol's version, HEAD's branch and every branch and tag",
        tags,
        response: { 200: RemoteInfoBody },
      }),
    },
    async () => api.describeServedRemote(repo),
  );

  app.post(
    '/api/remote/have',
    {
      config: { access: 'read' },
      bodyLimit: ID_BATCH_BODY_LIMIT,
      schema: routeSchema({
        summary: 'which of these objects the repository has (negotiation, one batch)',
        tags,
        body: IdBatch,
        response: { 200: HaveResult },
      }),
    },
    async (request) => {
      const { ids } = request.body as z.infer<typeof IdBatch>;
      return { have: [...(await repo.store.hasMany(ids))] };
    },
  );

  app.post(
    '/api/remote/sizes',
    {
      config: { access: 'read' },
      bodyLimit: ID_BATCH_BODY_LIMIT,
      schema: routeSchema({
        summary: 'sizes of these objects',
        tags,
        body: IdBatch,
        response: { 200: SizesResult },
      }),
    },
    async (request) => ({ sizes: await api.sizesOf(repo, (request.body as z.infer<typeof IdBatch>).ids) }),
  );

  app.post(
    '/api/remote/objects',
    {
      config: { access: 'read' },
      bodyLimit: ID_BATCH_BODY_LIMIT,
      schema: routeSchema({
        summary: 'these objects as frames (id, length, bytes), streamed',
        tags,
        body: IdBatch,
        response: { 200: 'binary' },
      }),
    },
    async (request, reply) => {
      const { ids } = request.body as z.infer<typeof IdBatch>;
      // Sizes first: an unknown id is a 404 before any byte is sent.
      await api.sizesOf(repo, ids);
      return reply.type('application/octet-stream').send(Readable.from(api.objectFrames(repo, ids)));
    },
  );

  app.get(
    '/api/remote/objects/:id',
    {
      config: { access: 'read' },
      schema: routeSchema({
        summary: "one object's bytes, streamed (big objects)",
        tags,
        params: ObjectParams,
        response: { 200: 'binary' },
      }),
    },
    async (request, reply) => {
      const { id } = request.params as z.infer<typeof ObjectParams>;
      const size = await repo.store.size(id);
      reply.type('application/octet-stream').header('content-length', size);
      if (repo.store.openReadStream) return reply.send(await repo.store.openReadStream(id));
      return reply.send(await repo.store.get(id));
    },
  );

  app.get(
    '/api/remote/push-access',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'whether this token may push (asked before negotiation: a read token is refused up front)',
        tags,
        response: { 200: Ok },
      }),
    },
    async () => ({ ok: true as const }),
  );

  app.post(
    '/api/remote/packs',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'upload one pack of objects as frames; answered once all are verified and durable',
        tags,
        response: { 200: PackResult },
      }),
    },
    async (request) => api.receivePack(repo, request.body as AsyncIterable<Uint8Array>),
  );

  app.post(
    '/api/remote/refs',
    {
      config: { access: 'write' },
      schema: routeSchema({
        summary: 'move a branch or tag by compare-and-swap (409 when another push moved it first)',
        tags,
        body: RefUpdateBody,
        response: { 200: Ok },
      }),
    },
    async (request) => {
      const { name, target, expected } = request.body as z.infer<typeof RefUpdateBody>;
      await api.updateServedRef(repo, name, target, expected);
      return { ok: true as const };
    },
  );
}
