import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import {
  ASSET_STORE,
  ConfigError,
  loadAssetPipeline,
  openRepository,
  usableTokenCount,
  type Repository,
} from '../api/index.js';
import { createServer } from './create-server.js';
import { ServerJobs } from './job-runner.js';
import { EMPTY_SERVER_CONFIG, loadServerConfig } from './server-config.js';

export interface ServeOptions {
  readonly cwd: string;
  readonly port: number;
  readonly host: string;
  readonly readOnly: boolean;
  /** Upper bound on an SQL search's seconds (default 10). */
  readonly searchTimeoutSeconds?: number;
  /** The server's own config (YAML/JSON: the collections compute jobs may run), loaded at start. */
  readonly configPath?: string;
  /** Where the built UI is; default `dist/web/` of this installation. */
  readonly webDir?: string;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly repo: Repository;
  readonly url: string;
  close(): Promise<void>;
}

/** Loopback names and addresses: the only binds allowed while no token exists. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '::ffff:127.0.0.1';
}

/** `dist/web/` next to the compiled tree (dist/src/server/ → dist/web/). */
function defaultWebDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

/**
 * Runs one tiny search in the background so the first user's search finds warm search processes
 * (SQLite: child processes, a second or more each to start on a loaded machine; a page and its
 * count take two) and the asset pipeline's modules loaded. Fails quietly: a repository without
 * asset tables has nothing to warm, and the user's own search reports any real problem.
 */
function warmAssetSearch(repo: Repository): void {
  const tables = repo.ports.get(ASSET_STORE);
  const warm = async () => {
    // Without asset tables there is nothing to warm: the pipeline's modules stay unloaded too.
    if (!(await tables.updated())) return;
    const pipeline = await loadAssetPipeline();
    await pipeline.runSearchPage(repo.root, tables, 'SELECT * FROM data', { offset: 0, limit: 1 });
  };
  void warm().catch(() => undefined);
}

/**
 * Opens the repository around `cwd` and serves it until `close`. Binding to a non-loopback
 * address while no usable token exists is refused: every API call would be refused anyway, and
 * a server reachable from the network must never be open by accident.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const repo = await openRepository(options.cwd);
  let jobs: ServerJobs | undefined;
  try {
    if (!isLoopback(options.host) && (await usableTokenCount(repo)) === 0)
      throw new ConfigError(
        `refusing to listen on ${options.host} without any token: create one first (strata token create NAME --scope read)`,
        { host: options.host, key: 'tokens' },
      );
    const config = options.configPath ? await loadServerConfig(options.configPath) : EMPTY_SERVER_CONFIG;
    jobs = await ServerJobs.open(repo, config);
    const app = await createServer({
      repo,
      jobs,
      readOnly: options.readOnly,
      searchTimeoutSeconds: options.searchTimeoutSeconds ?? 10,
      webDir: options.webDir ?? defaultWebDir(),
    });
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    warmAssetSearch(repo);
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = isIP(options.host) === 6 ? `[${options.host}]` : options.host;
    return {
      app,
      repo,
      url: `http://${host}:${port}`,
      async close() {
        try {
          await app.close();
          await jobs!.close();
        } finally {
          await repo.close();
        }
      },
    };
  } catch (err) {
    await jobs?.close().catch(() => {});
    await repo.close();
    throw err;
  }
}
