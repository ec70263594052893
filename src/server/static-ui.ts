import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the built web UI (`dist/web/`, Vite's output) when it is there: files as they are, and
 * `index.html` for any other GET outside `/api/` so the UI's client-side routes load (SPA fallback).
 * Public: the UI asks for a token itself and sends it with each API call.
 */
export async function registerStaticUi(app: FastifyInstance, webDir: string): Promise<boolean> {
  if (!existsSync(join(webDir, 'index.html'))) return false;
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic, { root: webDir, wildcard: false, decorateReply: true });
  app.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/api')
      return reply.type('text/html').sendFile('index.html');
    return reply.code(404).send({
      error: {
        code: 'E_NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        data: {},
      },
    });
  });
  return true;
}
