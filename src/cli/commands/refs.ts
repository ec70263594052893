import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, green, printJson, say, short } from '../output.js';

export function registerRefCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('branch [name] [start]')
    .description('list branches; with NAME, create one at START (default HEAD); with -d, delete it')
    .option('-d, --delete', 'delete the branch NAME (never the current one)')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string | undefined,
        start: string | undefined,
        opts: { delete?: boolean; json?: boolean },
      ) => {
        const api = await import('../../api/index.js');
        await withRepository(global(), async (repo) => {
          if (name && opts.delete) {
            const was = await api.deleteBranch(repo, name);
            if (opts.json) printJson({ deleted: name, head: was });
            else say(`Deleted branch ${name} (was ${short(was)})`);
            return;
          }
          if (name) {
            const b = await api.createBranch(repo, name, start);
            if (opts.json) printJson(b);
            else say(`Created branch ${bold(b.name)} at ${short(b.head)}`);
            return;
          }
          const branches = await api.listBranches(repo);
          if (opts.json) return printJson(branches);
          for (const b of branches)
            say(`${b.current ? green('* ' + b.name) : '  ' + b.name}  ${short(b.head)}`);
          if (branches.length === 0) say('no branches yet (the first commit creates one)');
        });
      },
    );

  program
    .command('tag [name] [revision]')
    .description('list tags; with NAME, tag REVISION (default HEAD); tags never move; -d deletes one')
    .option('-d, --delete', 'delete the tag NAME')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string | undefined,
        revision: string | undefined,
        opts: { delete?: boolean; json?: boolean },
      ) => {
        const api = await import('../../api/index.js');
        await withRepository(global(), async (repo) => {
          if (name && opts.delete) {
            const was = await api.deleteTag(repo, name);
            if (opts.json) printJson({ deleted: name, commit: was });
            else say(`Deleted tag ${name} (was ${short(was)})`);
            return;
          }
          if (name) {
            const t = await api.createTag(repo, name, revision);
            if (opts.json) printJson(t);
            else say(`Tagged ${short(t.commit)} as ${bold(t.name)}`);
            return;
          }
          const tags = await api.listTags(repo);
          if (opts.json) return printJson(tags);
          for (const t of tags) say(`${t.name}  ${short(t.commit)}`);
        });
      },
    );
}
