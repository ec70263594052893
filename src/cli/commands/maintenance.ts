import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { green, printJson, red, say, yellow } from '../output.js';
import { createProgress } from '../progress.js';

export function registerMaintenanceCommands(program: Command, global: () => GlobalOptions): void {
  program
    .command('fsck')
    .description('re-hash every object reachable from a ref and name each missing or corrupt one')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const progress = await createProgress('checking');
        const report = await api.fsck(repo, { onProgress: (n) => progress.update(n, Math.max(n, 1)) });
        progress.stop();
        if (opts.json) {
          printJson({
            ok: report.ok,
            objects: report.objects,
            problems: report.problems.map((p) => ({
              object: p.object,
              problem: p.problem,
              kind: p.kind,
              detail: p.detail,
              referenced_by: p.referencedBy,
            })),
            ...(report.absent ? { absent_by_design: report.absent } : {}),
          });
        } else {
          for (const p of report.problems)
            say(
              `${red(p.problem)} ${p.kind} ${p.object}${p.referencedBy ? ` (from ${p.referencedBy})` : ''}: ${p.detail}`,
            );
          say(
            report.ok
              ? green(
                  `ok: ${report.objects - (report.absent?.contents ?? 0)} objects verified` +
                    (report.absent
                      ? ` (partial clone: ${report.absent.contents} contents and ${report.absent.history} ` +
                        'older commits absent by design, on the remote)'
                      : ''),
                )
              : red(`${report.problems.length} problems in ${report.objects} objects`),
          );
        }
        if (!report.ok) process.exitCode = 1;
      });
    });

  program
    .command('gc')
    .description('delete objects that no branch, tag or HEAD reaches')
    .option('--dry-run', 'only count what would be deleted')
    .option('--json', 'print as JSON')
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const report = await api.gc(repo, { dryRun: opts.dryRun });
        const left = report.leftovers;
        if (opts.json)
          printJson({
            reachable: report.reachable,
            removed: report.removed,
            dry_run: report.dryRun,
            removed_temp_files: left.removedTempFiles,
            removed_packs: left.removedPacks,
            reindexed_packs: left.reindexedPacks,
          });
        else {
          say(
            `${report.dryRun ? 'would remove' : 'removed'} ${report.removed} unreachable objects; ${report.reachable} reachable kept`,
          );
          if (left.removedTempFiles + left.removedPacks + left.reindexedPacks > 0)
            say(
              `left by killed writers: removed ${left.removedTempFiles} temp files and ${left.removedPacks} orphaned packs; indexed ${left.reindexedPacks} packs again`,
            );
        }
      });
    });

  const lock = program
    .command('lock')
    .description('show who holds the repository locks')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const locks = await api.listLocks(repo);
        if (opts.json)
          return printJson(
            locks.map((l) => ({
              name: l.name,
              pid: l.pid,
              host: l.host,
              started_at: l.startedAt,
              command: l.command,
              lease_until: l.leaseUntil,
              stale: l.stale,
              stale_reason: l.staleReason,
            })),
          );
        if (locks.length === 0) return say('no locks held');
        for (const l of locks) {
          const lease = l.leaseUntil ? `, lease until ${l.leaseUntil}` : '';
          say(
            `${l.name}: pid ${l.pid} on ${l.host} since ${l.startedAt} (${l.command})${lease}${l.stale ? yellow(` — stale: ${staleWhy(l)}`) : ''}`,
          );
        }
      });
    });

  lock
    .command('release [name]')
    .description(
      'free stale locks (holder dead on this host, or lease expired on any host); --force frees a live holder too',
    )
    .option('-f, --force', 'free the lock whoever holds it')
    .option('--json', 'print as JSON')
    .action(async (name: string | undefined, opts: { force?: boolean; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const released = await api.releaseLocks(repo, { name, force: opts.force });
        if (opts.json)
          return printJson(
            released.map((l) => ({
              name: l.name,
              pid: l.pid,
              host: l.host,
              lease_until: l.leaseUntil,
              stale: l.stale,
              stale_reason: l.staleReason,
              forced: l.forced,
            })),
          );
        if (released.length === 0) say('no stale locks to release (use --force for a live or remote holder)');
        for (const l of released) {
          say(
            `released lock '${l.name}' held by pid ${l.pid} on ${l.host} since ${l.startedAt} (${l.stale ? `stale: ${staleWhy(l)}` : 'forced'})`,
          );
        }
      });
    });
}

/** Why a stale lock is stale, in words. */
function staleWhy(lock: { staleReason: string | null; leaseUntil: string | null }): string {
  return lock.staleReason === 'lease-expired'
    ? `its lease expired at ${lock.leaseUntil} without renewal`
    : 'that process is gone';
}
