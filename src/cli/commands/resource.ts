import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, green, printJson, say } from '../output.js';

export function registerResourceCommands(program: Command, global: () => GlobalOptions): void {
  const resource = program
    .command('resource')
    .description('register, list and remove resources (named folders with a role)');

  resource
    .command('add <path>')
    .description('register an existing folder inside the repository as a resource')
    .requiredOption('-r, --role <role>', 'source-data, intermediate-data, code or results')
    .option('-n, --name <name>', 'resource name (default: the folder name)')
    .option('--json', 'print as JSON')
    .action(async (path: string, opts: { role: string; name?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.addResource(repo, { path, role: opts.role, name: opts.name, cwd: global().cwd });
        if (opts.json) printJson({ name: r.name, path: r.path, role: r.role, type: r.type });
        else say(`Added resource ${green(r.name)} (${r.role}) at ${r.path}/`);
      });
    });

  resource
    .command('list')
    .description('list registered resources')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const list = await api.listResources(repo);
        if (opts.json)
          return printJson(list.map((r) => ({ name: r.name, path: r.path, role: r.role, type: r.type })));
        if (list.length === 0) say('no resources; add one with: strata resource add PATH --role ROLE');
        for (const r of list) say(`${green(r.name.padEnd(20))} ${cyan(r.role.padEnd(18))} ${r.path}/`);
      });
    });

  resource
    .command('rm <name>')
    .description('stop versioning a resource (its files stay on disk; the next commit drops it)')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.removeResource(repo, name);
        if (opts.json) printJson({ removed: r.name });
        else say(`Removed resource ${r.name}; its files in ${r.path}/ are untouched`);
      });
    });
}
