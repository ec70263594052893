import { resolve as resolvePath } from 'node:path';
import type { Command } from 'commander';
import { loadOutsideBundle } from '../../api/load-outside-bundle.js';
import { onInterrupt } from '../../util/interrupt-cleanup.js';
import type { GlobalOptions } from '../context.js';
import { bold, say } from '../output.js';

/**
 * What the CLI uses of `src/server/start-server.js`, declared here: the CLI and the server are
 * both faces (one layer), so neither imports the other; the module is loaded by path.
 */
interface StartServer {
  startServer(options: {
    cwd: string;
    port: number;
    host: string;
    readOnly: boolean;
    searchTimeoutSeconds?: number;
    configPath?: string;
  }): Promise<{ readonly url: string; readonly repo: { readonly root: string }; close(): Promise<void> }>;
}

const port = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--port must be 0-65535, not ${v}`);
  return n;
};

export function registerServeCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('serve')
    .description('serve the repository: HTTP API (bearer tokens), API docs at /api/docs, web UI')
    .option('--port <port>', 'TCP port (0: any free one)', port, 8080)
    .option('--host <host>', 'address to bind; non-loopback needs a token to exist', '127.0.0.1')
    .option('--read-only', 'refuse every write route whatever the token')
    .option('--search-timeout <seconds>', 'upper bound on an SQL search (default 10)', Number)
    .option(
      '--config <file>',
      "the server's config (YAML/JSON): compute.collections.NAME.module, the only code compute jobs run",
    )
    .action(
      async (opts: {
        port: number;
        host: string;
        readOnly?: boolean;
        searchTimeout?: number;
        config?: string;
      }) => {
        // The server runs from the compiled tree, outside the CLI bundle: Fastify's plugins find
        // their files (the docs page) beside their own modules.
        const { startServer } = await loadOutsideBundle<StartServer>('server/start-server.js');
        const server = await startServer({
          cwd: global().cwd,
          port: opts.port,
          host: opts.host,
          readOnly: opts.readOnly ?? false,
          searchTimeoutSeconds: opts.searchTimeout,
          configPath: opts.config === undefined ? undefined : resolvePath(global().cwd, opts.config),
        });
        say(`Serving ${bold(server.repo.root)} at ${server.url}${opts.readOnly ? ' (read-only)' : ''}`);
        say(`API docs: ${server.url}/api/docs · stop with Ctrl-C`);
        await new Promise<void>((resolve) => {
          onInterrupt(async () => {
            await server.close();
            resolve();
          });
        });
      },
    );
}
