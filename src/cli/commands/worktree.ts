import type { Command } from 'commander';
import { RESOURCE_ROLES_HINT } from './resource-roles.js';
import type { FileChange, UnrestorableFile } from '../../api/index.js';
import { printColumnChanges } from './column.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, cyan, green, printJson, red, say, short, yellow } from '../output.js';
import { createProgress } from '../progress.js';
import { recoveryAction, registerRecoverCommand, resolveFromCli } from './recover.js';

const MARK = { added: green('A'), removed: red('D'), modified: yellow('M') } as const;

/** One line per change: `A  resource/path  (size)`. */
export function printChanges(changes: readonly FileChange[]): void {
  for (const c of changes) {
    const size = c.after
      ? ` ${c.before ? `${c.before.size} -> ` : ''}${c.after.size} B`
      : c.before
        ? ` ${c.before.size} B`
        : '';
    const kindChanged = c.before && c.after && !c.before.symlink !== !c.after.symlink;
    const link = kindChanged
      ? c.after!.symlink
        ? ' now a symlink'
        : ' now a file'
      : (c.after ?? c.before)?.symlink
        ? ' symlink'
        : '';
    say(`  ${MARK[c.change]}  ${c.resource}/${c.path}${size ? cyan(`  (${size.trim()}${link})`) : ''}`);
  }
}

const UNRESTORABLE_SHOWN = 50;

/**
 * One line per file a restore or checkout left as it is, and why; a long list is cut (with
 * `--json` every file is listed).
 */
function printUnrestorable(files: readonly UnrestorableFile[]): void {
  if (files.length === 0) return;
  say(yellow(`${files.length} file(s) not restored:`));
  for (const f of files.slice(0, UNRESTORABLE_SHOWN))
    say(
      yellow(
        `  ${f.action === 'write' ? 'not written' : 'not deleted'}  ${f.resource}/${f.path}  (${f.reason})`,
      ),
    );
  if (files.length > UNRESTORABLE_SHOWN)
    say(yellow(`  … and ${files.length - UNRESTORABLE_SHOWN} more (--json lists every file)`));
}

/** Entries that cannot be versioned (FIFOs, sockets, devices, names not in UTF-8). */
type SkippedEntries = readonly { resource: string; path: string; reason: string }[];

/** `status`: the entries it cannot version, in a section of their own. */
function printSkipped(skipped: SkippedEntries): void {
  if (skipped.length === 0) return;
  say(`Not versioned (${skipped.length}):`);
  for (const s of skipped) say(`  ${yellow('!')}  ${s.resource}/${s.path}  ${cyan(`(${s.reason})`)}`);
}

/** `commit`: one warning line on stderr per entry left out, the first few of them. */
function warnSkipped(skipped: SkippedEntries): void {
  const shown = 10;
  for (const s of skipped.slice(0, shown))
    process.stderr.write(`${yellow('warning:')} not versioned: ${s.resource}/${s.path} (${s.reason})\n`);
  if (skipped.length > shown)
    process.stderr.write(
      `${yellow('warning:')} ${skipped.length - shown} more entries not versioned ('strata status' lists them)\n`,
    );
}

interface RestoreCliOptions {
  source?: string;
  force?: boolean;
  only?: string;
  leave?: string;
  strict?: boolean;
  continue?: boolean;
  abort?: boolean;
  json?: boolean;
}

interface CheckoutCliOptions {
  force?: boolean;
  branch?: string;
  continue?: boolean;
  abort?: boolean;
  json?: boolean;
}

export function registerWorktreeCommands(program: Command, global: () => GlobalOptions): void {
  registerRecoverCommand(program, global);
  program
    .command('status')
    .description('show files added, removed or modified since the last commit')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/working-folder.js');
      await withRepository(global(), async (repo) => {
        // status finishes or undoes a results move left by a killed snapshot first.
        const progress = await createProgress('hashing');
        const report = await api.status(repo, { onHashed: progress.update });
        progress.stop();
        // Lineage recorded on this branch since HEAD's snapshot goes into the next commit.
        const lineageSteps = await api.lineageStepsChanged(repo);
        const interrupted = api.findInterrupted(repo);
        if (opts.json) {
          printJson({
            branch: report.branch,
            head: report.commit,
            changes: report.changes.map(({ resource, path, change }) => ({ resource, path, change })),
            lineage: { steps_changed: lineageSteps },
            skipped: report.skipped,
            ...(interrupted
              ? {
                  interrupted: {
                    operation: interrupted.operation,
                    target: interrupted.target,
                    started: interrupted.started,
                    in_progress: interrupted.inProgress,
                    continue: interrupted.continueCommand,
                    abort: interrupted.abortCommand,
                  },
                }
              : {}),
          });
          return;
        }
        say(report.branch ? `On branch ${bold(report.branch)}` : `HEAD detached at ${short(report.commit)}`);
        if (interrupted) say(red(interrupted.message));
        if (!report.commit) say('No commits yet');
        const columnsStaged =
          report.branch !== null && (await api.readColumnStage(repo, report.branch)) !== undefined;
        if (report.changes.length === 0 && !columnsStaged && lineageSteps === 0)
          say('nothing to commit, the working folders match HEAD');
        else if (report.changes.length > 0) {
          say(`Changes (${report.changes.length}):`);
          printChanges(report.changes);
        }
        if (columnsStaged) say(`Column changes are staged (${cyan('strata column status')} lists them)`);
        if (lineageSteps > 0)
          say(
            `Lineage: ${lineageSteps} step${lineageSteps === 1 ? '' : 's'} changed since HEAD (${cyan('strata lineage show')} lists them; the next commit records them)`,
          );
        printSkipped(report.skipped);
        if ((await api.listResources(repo)).length === 0) {
          // An empty repository: say how to start rather than only "nothing to commit".
          say(
            `No resources yet: only folders registered as resources are versioned. Add one with\n` +
              `  ${cyan('strata resource add DIR --role source-data')}   (roles: ${RESOURCE_ROLES_HINT})`,
          );
        }
      });
    });

  program
    .command('commit')
    .alias('snapshot')
    .description(
      "record the working folders as a new commit (alias: snapshot); new result files move into the snapshot's results folder",
    )
    .requiredOption('-m, --message <text>', 'what this commit is')
    .option('-t, --tag <name...>', 'tag the new commit (tags never move)')
    .option('--allow-empty', 'commit even if nothing changed')
    .option('--json', 'print as JSON')
    .action(async (opts: { message: string; tag?: string[]; allowEmpty?: boolean; json?: boolean }) => {
      const api = await import('../../api/working-folder.js');
      await withRepository(global(), async (repo) => {
        const branch = (await api.readHead(repo)).branch;
        const columnsStaged = branch !== null && (await api.readColumnStage(repo, branch)) !== undefined;
        const progress = await createProgress('storing');
        const result = await api
          .commit(repo, {
            message: opts.message,
            tags: opts.tag,
            allowEmpty: opts.allowEmpty,
            onProgress: progress.update,
            onSkipped: warnSkipped,
          })
          .finally(() => progress.stop());
        if (opts.json)
          printJson({
            id: result.id,
            branch: result.branch,
            changes: result.changes,
            results_folder: result.resultsFolder,
            results_moved: result.resultsMoved,
            skipped: result.skipped,
          });
        else {
          say(
            `[${result.branch ?? 'detached'} ${short(result.id)}] ${opts.message} (${result.changes} files changed${columnsStaged ? ', staged column changes included' : ''})`,
          );
          if (result.resultsFolder)
            say(`${result.resultsMoved} result files moved into ${cyan(result.resultsFolder + '/')}`);
        }
      });
    });

  program
    .command('checkout [revision]')
    .description('make the working folders match a branch, tag or commit, and move HEAD there')
    .option('-f, --force', 'discard uncommitted changes in the files it rewrites (never untracked files)')
    .option('-b, --branch <name>', 'create branch <name> at <revision> and switch to it')
    .option('--continue', 'finish an interrupted checkout')
    .option('--abort', 'undo an interrupted checkout')
    .option('--json', 'print as JSON')
    .action(async (revisionArg: string | undefined, opts: CheckoutCliOptions) => {
      const api = await import('../../api/working-folder.js');
      await withRepository(global(), async (repo) => {
        const action = await recoveryAction(opts);
        if (action) return resolveFromCli(repo, 'checkout', action, opts.json);
        if (revisionArg === undefined)
          throw new api.InvalidArgumentError('checkout needs a revision (or --continue / --abort)', {});
        const revision = revisionArg;
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
        else {
          say(
            `${result.branch ? `Switched to branch ${bold(result.branch)}` : `HEAD is now detached at ${short(result.commit)}`} (${result.updated} files updated)`,
          );
          printUnrestorable(result.unrestorable);
        }
      });
    });

  program
    .command('restore [targets...]')
    .description(
      'restore a whole snapshot (one argument naming a revision, not a path inside a resource), ' +
        'or bring files or folders back to their committed state (HEAD unless --source)',
    )
    .option('-s, --source <revision>', 'paths: take the content from this branch, tag or commit')
    .option('-f, --force', 'discard uncommitted changes in what is restored')
    .option('--only <names>', 'snapshot: restore only these resources (comma-separated)')
    .option('--leave <names>', 'snapshot: leave these resources as they are (comma-separated)')
    .option('--strict', 'fail, changing nothing, if any chosen resource or file cannot be restored')
    .option('--continue', 'finish an interrupted restore')
    .option('--abort', 'undo an interrupted restore')
    .option('--json', 'print as JSON')
    .action(async (targets: string[], opts: RestoreCliOptions) => {
      const api = await import('../../api/working-folder.js');
      await withRepository(global(), async (repo) => {
        const action = await recoveryAction(opts);
        if (action) return resolveFromCli(repo, 'restore', action, opts.json);
        if (targets.length === 0)
          throw new api.InvalidArgumentError(
            'restore needs a revision or paths (or --continue / --abort)',
            {},
          );
        const kind = await api.restoreTargetKind(repo, {
          targets,
          only: opts.only,
          leave: opts.leave,
          source: opts.source,
          cwd: global().cwd,
        });
        if (kind === 'snapshot') {
          const list = (v?: string) => v?.split(',').filter((x) => x !== '');
          const progress = await createProgress('writing');
          const r = await api
            .restoreSnapshot(repo, targets[0]!, {
              only: list(opts.only),
              leave: list(opts.leave),
              strict: opts.strict,
              force: opts.force,
              onProgress: progress.update,
            })
            .finally(() => progress.stop());
          if (opts.json)
            return printJson({
              commit: r.commit,
              updated: r.updated,
              checked_out: r.checkedOut,
              skipped: r.skipped,
              unrestorable: r.unrestorable,
            });
          say(`restored snapshot ${short(r.commit)} (${r.updated} files updated)`);
          for (const name of r.checkedOut) say(`  ${name}: git checkout of the recorded commit`);
          for (const s of r.skipped) say(yellow(`  skipped ${s.resource}: ${s.reason}`));
          printUnrestorable(r.unrestorable);
          return;
        }
        let unrestorable: readonly UnrestorableFile[] = [];
        const updated = await api.restorePaths(repo, targets, {
          source: opts.source,
          force: opts.force,
          strict: opts.strict,
          cwd: global().cwd,
          onUnrestorableFiles: (files) => {
            unrestorable = files;
          },
        });
        if (opts.json) printJson({ updated, unrestorable });
        else {
          say(`restored ${updated} files from ${opts.source ?? 'HEAD'}`);
          printUnrestorable(unrestorable);
        }
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
        // Before the first commit, the working state is compared with the empty state.
        const base = from ?? ((await api.readHead(repo)).commit === null ? null : 'HEAD');
        const changes = await api.diffRevisions(repo, base, to);
        // Metrics and resource-level state live in commits: they differ only between two revisions.
        const metrics = to !== undefined ? await api.diffMetrics(repo, from ?? 'HEAD', to) : [];
        const resources = to !== undefined ? await api.diffResources(repo, from ?? 'HEAD', to) : [];
        // Without `to`, columns compare with what is staged (the columns' working state).
        const columns = await api.diffColumnRevisions(repo, base, to);
        if (opts.json)
          return printJson({
            changes: [...changes.map(api.changeToJson), ...columns],
            ...(resources.length > 0 ? { resources } : {}),
            ...(metrics.length > 0 ? { metrics } : {}),
          });
        if (changes.length === 0 && metrics.length === 0 && resources.length === 0 && columns.length === 0)
          say('no differences');
        else if (changes.length > 0) printChanges(changes);
        if (columns.length > 0) printColumnChanges(columns);
        if (resources.length > 0) {
          say('Resources:');
          for (const r of resources)
            say(
              `  ${r.resource}: ${r.change}${r.before !== undefined || r.after !== undefined ? ` ${JSON.stringify(r.before ?? null)} -> ${JSON.stringify(r.after ?? null)}` : ''}`,
            );
        }
        if (metrics.length > 0) {
          say('Metrics:');
          for (const m of metrics)
            say(
              `  ${m.name}: ${m.before === undefined ? '-' : String(m.before)} -> ${m.after === undefined ? '-' : String(m.after)}`,
            );
        }
      });
    });
}
