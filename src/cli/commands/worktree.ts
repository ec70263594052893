import type { Command } from 'commander';
import type { FileChange } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, cyan, green, printJson, red, say, short, yellow } from '../output.js';
import { createProgress } from '../progress.js';

const MARK = { added: green('A'), removed: red('D'), modified: yellow('M') } as const;

/** One line per change: `A  resource/path  (size)`. */
export function printChanges(changes: readonly FileChange[]): void {
  for (const c of changes) {
    const size = c.after
      ? ` ${c.before ? `${c.before.size} -> ` : ''}${c.after.size} B`
      : c.before
        ? ` ${c.before.size} B`
        : '';
    say(`  ${MARK[c.change]}  ${c.resource}/${c.path}${size ? cyan(`  (${size.trim()})`) : ''}`);
  }
}

export function registerWorktreeCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('status')
    .description('show files added, removed or modified since the last commit')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const progress = await createProgress('hashing');
        const report = await api.status(repo, { onHashed: progress.update });
        progress.stop();
        if (opts.json) {
          printJson({
            branch: report.branch,
            head: report.commit,
            changes: report.changes.map(({ resource, path, change }) => ({ resource, path, change })),
          });
          return;
        }
        say(report.branch ? `On branch ${bold(report.branch)}` : `HEAD detached at ${short(report.commit)}`);
        if (!report.commit) say('No commits yet');
        if (report.changes.length === 0) say('nothing to commit, the working folders match HEAD');
        else {
          say(`Changes (${report.changes.length}):`);
          printChanges(report.changes);
        }
      });
    });

  program
    .command('commit')
    .alias('snapshot')
    .description('record the working folders as a new commit (alias: snapshot)')
    .requiredOption('-m, --message <text>', 'what this commit is')
    .option('-t, --tag <name...>', 'tag the new commit (tags never move)')
    .option('--allow-empty', 'commit even if nothing changed')
    .option('--json', 'print as JSON')
    .action(async (opts: { message: string; tag?: string[]; allowEmpty?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const progress = await createProgress('storing');
        const result = await api.commit(repo, {
          message: opts.message,
          tags: opts.tag,
          allowEmpty: opts.allowEmpty,
          onProgress: progress.update,
        });
        progress.stop();
        if (opts.json) printJson({ id: result.id, branch: result.branch, changes: result.changes });
        else
          say(
            `[${result.branch ?? 'detached'} ${short(result.id)}] ${opts.message} (${result.changes} files changed)`,
          );
      });
    });

  program
    .command('checkout <revision>')
    .description('make the working folders match a branch, tag or commit, and move HEAD there')
    .option('-f, --force', 'discard uncommitted changes in the files it rewrites')
    .option('-b, --branch <name>', 'create branch <name> at <revision> and switch to it')
    .option('--json', 'print as JSON')
    .action(async (revision: string, opts: { force?: boolean; branch?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        if (opts.branch) await api.createBranch(repo, opts.branch, revision);
        const progress = await createProgress('writing');
        const result = await api
          .checkout(repo, opts.branch ?? revision, { force: opts.force, onProgress: progress.update })
          .catch(async (err: unknown) => {
            // Leave nothing behind: the branch made for a checkout that failed goes too.
            if (opts.branch) await api.deleteBranch(repo, opts.branch);
            throw err;
          })
          .finally(() => progress.stop());
        if (opts.json) printJson(result);
        else
          say(
            `${result.branch ? `Switched to branch ${bold(result.branch)}` : `HEAD is now detached at ${short(result.commit)}`} (${result.updated} files updated)`,
          );
      });
    });

  program
    .command('restore <paths...>')
    .description('bring files or folders back to their committed state (HEAD unless --source)')
    .option('-s, --source <revision>', 'take the content from this branch, tag or commit')
    .option('-f, --force', 'discard uncommitted changes in those paths')
    .option('--json', 'print as JSON')
    .action(async (paths: string[], opts: { source?: string; force?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const updated = await api.restorePaths(repo, paths, {
          source: opts.source,
          force: opts.force,
          cwd: global().cwd,
        });
        if (opts.json) printJson({ updated });
        else say(`restored ${updated} files from ${opts.source ?? 'HEAD'}`);
      });
    });

  program
    .command('diff [from] [to]')
    .description(
      'files that differ between two revisions, or between one (default HEAD) and the working folders',
    )
    .option('--json', 'print as JSON')
    .action(async (from: string | undefined, to: string | undefined, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const changes = await api.diffRevisions(repo, from ?? 'HEAD', to);
        if (opts.json) printJson({ changes: changes.map(api.changeToJson) });
        else if (changes.length === 0) say('no differences');
        else printChanges(changes);
      });
    });
}
