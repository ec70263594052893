import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from './validator.js';
import { registerAuth } from './auth.js';
import type { ServerContext } from './context.js';
import { errorReply } from './http-errors.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerColumnRoutes } from './routes/columns.js';
import { registerComputeRoutes } from './routes/compute.js';
import { registerFileRoutes } from './routes/files.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerJobStartRoutes } from './routes/job-starts.js';
import type { ServerJobs } from './job-runner.js';
import { registerRemoteRoutes } from './routes/remote.js';
import { registerRepositoryRoutes } from './routes/repository.js';
import { registerWorkspaceRoutes } from './routes/workspace.js';
import { registerStaticUi } from './static-ui.js';

export interface CreateServerOptions extends ServerContext {
  /** The built web UI (`dist/web/`); served when it holds an `index.html`. */
  readonly webDir?: string;
  /** The job runner of long operations; without it, job routes are absent. */
  readonly jobs?: ServerJobs;
  /** Extra route modules (jobs, capabilities) registered after the built-in ones. */
  readonly routes?: readonly ((app: FastifyInstance, ctx: ServerContext) => void | Promise<void>)[];
}

/**
 * The HTTP server, not yet listening: OpenAPI document and docs, bearer auth, one route module
 * per capability, the web UI. Routes parse, call the library and render; no logic lives here.
 */
export async function createServer(options: CreateServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1 << 20,
  });
  app.setValidatorCompiler(validatorCompiler());
  const ctx: ServerContext = {
    repo: options.repo,
    readOnly: options.readOnly,
    searchTimeoutSeconds: options.searchTimeoutSeconds,
  };

  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = errorReply(err);
    return reply.code(status).send(body);
  });
  // With the UI built, its static handler answers unknown paths (SPA fallback, JSON 404 for /api/).
  const uiBuilt = options.webDir !== undefined && existsSync(join(options.webDir, 'index.html'));
  if (!uiBuilt)
    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({
        error: {
          code: 'E_NOT_FOUND',
          message: `no route ${request.method} ${request.url.split('?')[0]}`,
          data: {},
        },
      }),
    );

  const { default: swagger } = await import('@fastify/swagger');
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Strata API',
        version: '0.1.0',
        description: 'Every route but /healthz and the UI needs a bearer token (`strata token create`).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  // The docs page and its assets are public (the interactive calls still need a token).
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) route.config = { ...(route.config as object), access: 'public' };
  });
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { persistAuthorization: false } });

  registerAuth(app, ctx);
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerHealthRoutes(app, ctx);
  registerRepositoryRoutes(app, ctx);
  registerFileRoutes(app, ctx);
  registerWorkspaceRoutes(app, ctx);
  registerColumnRoutes(app, ctx);
  registerAssetRoutes(app, ctx);
  registerComputeRoutes(app, ctx);
  registerRemoteRoutes(app, ctx);
  if (options.jobs) {
    registerJobRoutes(app, ctx, options.jobs);
    registerJobStartRoutes(app, ctx, options.jobs);
  }
  for (const register of options.routes ?? []) await register(app, ctx);
  if (uiBuilt) await registerStaticUi(app, options.webDir!);
  return app;
}
