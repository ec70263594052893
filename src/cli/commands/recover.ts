import type { Command } from 'commander';
import type { RecoveryResult, Repository } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { printJson, say, yellow } from '../output.js';
import { createProgress } from '../progress.js';

/** `--continue` / `--abort` of checkout, restore and merge: which one was given (both is an error). */
export async function recoveryAction(opts: {
  continue?: boolean;
  abort?: boolean;
}): Promise<'continue' | 'abort' | undefined> {
  if (opts.continue && opts.abort) {
    const api = await import('../../api/index.js');
    throw new api.InvalidArgumentError('give --continue or --abort, not both', {});
  }
  return opts.continue ? 'continue' : opts.abort ? 'abort' : undefined;
}

/** Finishes or undoes the interrupted `operation` and prints what happened. */
export async function resolveFromCli(
  repo: Repository,
  operation: 'checkout' | 'restore' | 'merge',
  action: 'continue' | 'abort',
  json: boolean | undefined,
): Promise<void> {
  const api = await import('../../api/index.js');
  const progress = await createProgress('writing');
  const result = await api
    .resolveInterrupted(repo, action, { operation, onProgress: progress.update })
    .finally(() => progress.stop());
  if (json) return printJson(recoveryJson(result));
  printRecovery(result);
}

function recoveryJson(r: RecoveryResult) {
  return {
    operation: r.operation,
    target: r.target,
    action: r.action,
    applied: r.applied,
    unrecoverable: r.unrecoverable,
  };
}

function printRecovery(r: RecoveryResult): void {
  const what = r.operation === 'restore' ? `restore of ${r.target}` : `${r.operation} of '${r.target}'`;
  say(
    `${r.action === 'continue' ? 'finished' : 'undid'} the interrupted ${what} (${r.applied} files written)`,
  );
  if (r.unrecoverable.length > 0)
    say(
      yellow(
        `  ${r.unrecoverable.length} files keep their new content: their earlier content was never committed (discarded by --force)`,
      ),
    );
}

/** `strata recover`: one command that finishes (or `--abort`: undoes) whatever was interrupted. */
export function registerRecoverCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('recover')
    .description(
      'finish every interrupted checkout, restore, merge or assets create (--abort: undo them instead)',
    )
    .option('--abort', 'undo the interrupted operations instead of finishing them')
    .option('--json', 'print as JSON')
    .action(async (opts: { abort?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const progress = await createProgress('writing');
        const r = await api
          .recover(repo, { abort: opts.abort, onProgress: progress.update })
          .finally(() => progress.stop());
        if (opts.json)
          return printJson({
            ...(r.worktree ? { worktree: recoveryJson(r.worktree) } : {}),
            ...(r.staging ? { assets_create: r.staging } : {}),
          });
        if (r.worktree) printRecovery(r.worktree);
        if (r.staging)
          say(
            `${r.staging.policy === 'finish' ? 'finished' : 'rolled back'} the interrupted assets create (${r.staging.moved} files moved)`,
          );
      });
    });
}
