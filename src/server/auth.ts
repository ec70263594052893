import type { FastifyInstance } from 'fastify';
import { findTokenByHash, scopeAllows, tokenRevocationCount } from '../api/index.js';
import type { ServerContext } from './context.js';
import { ForbiddenError, UnauthorizedError } from './http-errors.js';
import { TokenCache } from './token-cache.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Every route states its access (`config.access`): public, read, write or admin. A route without
 * one is treated as admin, so a forgotten declaration fails closed. A read-only server refuses
 * every write and admin route whatever the token.
 */
export function registerAuth(app: FastifyInstance, ctx: ServerContext): void {
  const tokens = new TokenCache({
    find: (hash) => findTokenByHash(ctx.repo, hash),
    revocations: () => tokenRevocationCount(ctx.repo),
  });
  app.addHook('onRequest', async (request) => {
    // Unknown routes answer 404 to anyone: there is nothing behind them to protect.
    if (request.is404) return;
    // Outside /api/ a GET is the static UI (its files and its SPA fallback): public, as the UI
    // asks for the token itself. Every /api/ route without a declaration stays admin.
    const ui = !request.url.startsWith('/api') && (request.method === 'GET' || request.method === 'HEAD');
    const access = request.routeOptions.config.access ?? (ui ? 'public' : 'admin');
    if (access === 'public') return;
    const header = request.headers.authorization;
    const fromQuery = (request.query as { access_token?: unknown } | undefined)?.access_token;
    const match =
      header === undefined && request.routeOptions.config.queryToken && typeof fromQuery === 'string'
        ? ['', fromQuery]
        : BEARER.exec(header ?? '');
    if (!match)
      throw new UnauthorizedError('this route needs a bearer token (Authorization: Bearer …)', {
        reason: 'missing',
      });
    const check = await tokens.check(match[1]!);
    if (!check.ok)
      throw new UnauthorizedError(`the token is ${check.reason === 'unknown' ? 'not valid' : check.reason}`, {
        reason: check.reason,
      });
    if (ctx.readOnly && access !== 'read')
      throw new ForbiddenError('the server is read-only', { reason: 'read-only', needs: access });
    if (!scopeAllows(check.token.scope, access))
      throw new ForbiddenError(
        `this route needs a ${access} token; ${check.token.name} is ${check.token.scope}`,
        {
          reason: 'scope',
          needs: access,
          scope: check.token.scope,
        },
      );
    request.tokenName = check.token.name;
  });
}
