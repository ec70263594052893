import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, dim, printJson, say, yellow } from '../output.js';

export function registerTokenCommands(program: Command, global: () => GlobalOptions): void {
  const token = program
    .command('token')
    .description("the server's bearer tokens (only their hashes are stored)");

  token
    .command('create <name>')
    .description('create a token and print it once')
    .requiredOption('--scope <scope>', 'read, write or admin')
    .option('--expires <duration>', 'lifetime, e.g. 30d, 12h (default: never)')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { scope: string; expires?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const { token: secret, record } = await api.createToken(repo, {
          name,
          scope: opts.scope,
          expiresIn: opts.expires,
        });
        if (opts.json) return printJson({ token: secret, ...record });
        say(secret);
        say(
          dim(
            `token ${record.name} (${record.scope}${record.expiresAt ? `, expires ${record.expiresAt}` : ''}): shown once, store it now`,
          ),
        );
      });
    });

  token
    .command('list')
    .description('tokens with scope, dates and state (never the secrets)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const tokens = await api.listTokens(repo);
        if (opts.json) return printJson(tokens);
        if (tokens.length === 0) return say('no tokens (create one: strata token create NAME --scope read)');
        const now = new Date().toISOString();
        for (const t of tokens) {
          const state = t.revokedAt
            ? yellow('revoked')
            : t.expiresAt && t.expiresAt <= now
              ? yellow('expired')
              : 'active';
          say(
            `${bold(t.name.padEnd(20))} ${t.scope.padEnd(6)} ${state.padEnd(8)} ${dim(`created ${t.createdAt}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}`)}`,
          );
        }
      });
    });

  token
    .command('revoke <name>')
    .description('revoke a token: the server refuses it from the next request on')
    .action(async (name: string) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        await api.revokeToken(repo, name);
        say(`revoked token ${bold(name)}`);
      });
    });
}
