import type { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { printJson, say } from '../output.js';
import { resolve } from 'node:path';
import { RESOURCE_ROLES_HINT } from './resource-roles.js';

export function registerInitCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('init [dir]')
    .description('create a repository (.strata/) in DIR or the current folder')
    .option('--create-resources <roles>', 'create and register folders for these roles, e.g. code,results')
    .option('--branch <name>', 'name of the first branch', 'main')
    .option('--json', 'print the result as JSON')
    .action(
      async (dir: string | undefined, opts: { createResources?: string; branch: string; json?: boolean }) => {
        const api = await import('../../api/index.js');
        const root = resolve(global().cwd, dir ?? '.');
        const roles = opts.createResources
          ? opts.createResources
              .split(',')
              .map((r) => r.trim())
              .filter(Boolean)
          : [];
        for (const role of roles) api.checkRole(role);
        const repo = await api.initRepository(root, { branch: opts.branch });
        try {
          const created = [];
          for (const role of roles)
            created.push(await api.addResource(repo, { path: role, role, cwd: root, create: true }));
          if (opts.json)
            printJson({
              root,
              branch: opts.branch,
              resources: created.map((r) => ({ name: r.name, path: r.path, role: r.role })),
            });
          else {
            say(`Initialized empty Strata repository in ${root}/.strata (branch ${opts.branch})`);
            for (const r of created) say(`  resource ${r.name} (${r.role}) at ${r.path}/`);
            say(nextStep(created.map((r) => `${r.path}/`)));
          }
        } finally {
          await repo.close();
        }
      },
    );
}

/** What `init` suggests next: register a folder, or (with folders made) fill them and commit. */
function nextStep(createdFolders: readonly string[]): string {
  if (createdFolders.length > 0)
    return `Next: put files in ${createdFolders.join(', ')} then record them: strata commit -m "first version"`;
  return (
    'Next: register a folder to version, e.g. strata resource add data --role source-data\n' +
    `      (roles: ${RESOURCE_ROLES_HINT}), then strata commit -m "first version"`
  );
}
