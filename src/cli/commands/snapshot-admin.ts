import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { printJson, say, short } from '../output.js';

export function registerSnapshotAdminCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('delete-snapshot <revision>')
    .description(
      'delete a snapshot: its tags, its results folder (unless --keep-results), and its row in report history',
    )
    .option('--keep-results', 'leave its results folder on disk')
    .option('--json', 'print as JSON')
    .action(async (revision: string, opts: { keepResults?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.deleteSnapshot(repo, revision, { keepResults: opts.keepResults });
        if (opts.json)
          return printJson({
            commit: r.commit,
            tags_removed: r.tagsRemoved,
            results_removed: r.resultsRemoved,
          });
        say(
          `deleted snapshot ${short(r.commit)}` +
            (r.tagsRemoved.length ? ` (tags ${r.tagsRemoved.join(', ')})` : ''),
        );
        for (const f of r.resultsRemoved) say(`  removed ${f}`);
      });
    });
}
