import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, dim, green, printJson, say } from '../output.js';

export function registerConfigCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('config [name] [value]')
    .description(
      'list, show or set configuration parameters: global ones are shared through the repository, ' +
        'local ones (such as hostname) belong to this machine only',
    )
    .addHelpText(
      'after',
      [
        '',
        'Author of commits (local parameters, this machine only):',
        '  strata config user.name "Ada Lovelace"',
        '  strata config user.email ada@example.org',
        "  STRATA_AUTHOR='Name <email>' overrides both for one command (a bare 'Name' keeps user.email).",
        '  Without either, commits record the system user and no email.',
        'Run `strata config` to list every parameter with its value, scope and help.',
      ].join('\n'),
    )
    .option('--json', 'print as JSON')
    .action(async (name: string | undefined, value: string | undefined, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const params =
          name === undefined
            ? await api.listParams(repo)
            : [value === undefined ? await api.getParam(repo, name) : await api.setParam(repo, name, value)];
        if (opts.json) {
          const rows = params.map((p) => ({
            name: p.name,
            value: p.value,
            scope: p.scope,
            default: p.isDefault,
            help: p.help,
          }));
          return printJson(name === undefined ? rows : rows[0]);
        }
        for (const p of params) {
          say(`${green(p.name)} = ${p.value}${p.isDefault ? dim(' (default)') : ''} ${cyan(`[${p.scope}]`)}`);
          say(dim(`    ${p.help}`));
        }
      });
    });
}
