import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, dim, green, printJson, say } from '../output.js';

export function registerConfigCommand(program: Command, global: () => GlobalOptions): void {
  registerInfoCommand(program, global);
  program
    .command('config [name] [value]')
    .description(
      'list, show or set configuration parameters: global ones are shared through the repository, ' +
        'local ones (such as hostname) belong to this working folder only',
    )
    .addHelpText(
      'after',
      [
        '',
        'Author of commits (local parameters, this working folder only):',
        '  strata config user.name "Ada Lovelace"',
        '  strata config user.email ada@example.org',
        "  STRATA_AUTHOR='Name <email>' overrides both for one command (a bare 'Name' keeps user.email).",
        '  Without either, commits record the system user and no email.',
        'Run `strata config` to list every parameter with its value, scope and help.',
        '',
        'Parameters of one resource:',
        '  strata config --resource code              # list them',
        '  strata config --resource code branch dev   # set one',
      ].join('\n'),
    )
    .option('--resource <name>', "a resource's own parameters (read_only, branch, sync_mode, ...)")
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string | undefined,
        value: string | undefined,
        opts: { json?: boolean; resource?: string },
      ) => {
        const api = await import('../../api/index.js');
        if (opts.resource !== undefined)
          return resourceConfig(global(), opts.resource, name, value, opts.json);
        await withRepository(global(), async (repo) => {
          const params =
            name === undefined
              ? await api.listParams(repo)
              : [
                  value === undefined
                    ? await api.getParam(repo, name)
                    : await api.setParam(repo, name, value),
                ];
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
          if (name === undefined) say(dim(backendsLine(api, repo)));
          for (const p of params) {
            say(
              `${green(p.name)} = ${p.value}${p.isDefault ? dim(' (default)') : ''} ${cyan(`[${p.scope}]`)}`,
            );
            say(dim(`    ${p.help}`));
          }
        });
      },
    );
}

/** `strata config --resource NAME [PARAM [VALUE]]`: one resource's parameters. */
async function resourceConfig(
  options: GlobalOptions,
  resource: string,
  name: string | undefined,
  value: string | undefined,
  json: boolean | undefined,
): Promise<void> {
  const api = await import('../../api/index.js');
  await withRepository(options, async (repo) => {
    const params =
      name === undefined
        ? await api.listResourceParams(repo, resource)
        : [
            value === undefined
              ? await api.getResourceParam(repo, resource, name)
              : await api.setResourceParam(repo, resource, name, value),
          ];
    if (json) {
      const rows = params.map((p) => ({
        resource: p.resource,
        name: p.name,
        value: p.value,
        scope: 'resource',
        default: p.isDefault,
        help: p.help,
      }));
      return printJson(name === undefined ? rows : rows[0]);
    }
    for (const p of params) {
      say(
        `${green(p.name)} = ${p.value}${p.isDefault ? dim(' (default)') : ''} ${cyan(`[resource ${resource}]`)}`,
      );
      say(dim(`    ${p.help}`));
    }
  });
}

/** `strata info`: where the repository is and which backends it uses. */
function registerInfoCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('info')
    .description('show the repository folder and which backends it uses (catalog, object store)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const backends = api.describeBackends(repo.config);
        const partial = await api.readPartialClone(repo);
        if (opts.json)
          return printJson({
            root: repo.root,
            shared: repo.config.catalog.type !== 'sqlite',
            catalog: { type: repo.config.catalog.type, description: backends.catalog },
            store: { type: repo.config.store.type, description: backends.store },
            ...(partial ? { partial } : {}),
          });
        say(`${green('repository')} ${repo.root}`);
        say(`${green('catalog')}    ${backends.catalog}`);
        say(`${green('store')}      ${backends.store}`);
        if (partial) {
          const contents = !partial.data
            ? 'no contents'
            : partial.only
              ? `contents of ${partial.only.join(', ')}`
              : partial.skip
                ? `contents of all but ${partial.skip.join(', ')}`
                : 'all contents';
          const depth = partial.depth !== undefined ? `, depth ${partial.depth}` : '';
          say(
            `${green('partial')}    clone of ${partial.remote} (${contents}${depth}); the rest is fetched on demand`,
          );
        }
      });
    });
}

function backendsLine(
  api: typeof import('../../api/index.js'),
  repo: import('../../api/index.js').Repository,
): string {
  const backends = api.describeBackends(repo.config);
  return `# repository ${repo.root}: catalog ${backends.catalog}, store ${backends.store}`;
}
