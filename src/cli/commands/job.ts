import type { Command } from 'commander';
import type { JobRecord, JobState } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, dim, green, printJson, red, say, yellow } from '../output.js';

const STATES: readonly JobState[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'completed_with_errors',
];

function paintState(state: JobState, width = 21): string {
  const padded = state.padEnd(width);
  if (state === 'completed') return green(padded);
  if (state === 'failed' || state === 'completed_with_errors') return red(padded);
  if (state === 'cancelled') return dim(padded);
  return yellow(padded);
}

const progress = (job: JobRecord): string =>
  `${job.counts.done}/${job.counts.total}` + (job.counts.failed > 0 ? ` (${job.counts.failed} failed)` : '');

/** Duration from start (or creation) to end (or now), for humans. */
function elapsed(job: JobRecord): string {
  const from = Date.parse(job.startedAt ?? job.createdAt);
  const to = job.finishedAt === undefined ? Date.now() : Date.parse(job.finishedAt);
  const seconds = Math.max(0, (to - from) / 1000);
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

function showJob(job: JobRecord): void {
  say(`${bold('job')} ${job.id}`);
  say(`kind      ${job.kind}`);
  say(`state     ${paintState(job.state).trimEnd()}`);
  say(`tasks     ${progress(job)}`);
  say(`created   ${job.createdAt}`);
  if (job.startedAt !== undefined) say(`started   ${job.startedAt}`);
  if (job.finishedAt !== undefined) say(`finished  ${job.finishedAt}`);
  say(`elapsed   ${elapsed(job)}`);
  say(
    `retries   ${job.retry.maxAttempts} attempts, ${job.retry.backoff.type} backoff ${job.retry.backoff.delayMs} ms`,
  );
  say(`workers   ${job.workers.length}`);
  for (const worker of job.workers)
    say(`  ${worker.id}  ${dim(`joined ${worker.joinedAt}, last seen ${worker.lastSeenAt}`)}`);
  if (job.errors.length > 0) {
    say(`errors    ${job.errors.length}`);
    for (const error of job.errors)
      say(
        `  ${red(error.taskKey)}: ${error.message}${dim(` (${error.attempts} attempts${error.code ? `, ${error.code}` : ''})`)}`,
      );
  }
}

/** `strata job list|show|cancel`: jobs recorded in the repository's catalog. */
export function registerJobCommands(program: Command, global: () => GlobalOptions): void {
  const job = program.command('job').description('list, show and cancel jobs (records kept in the catalog)');

  job
    .command('list')
    .description('list jobs, newest first')
    .option('-s, --state <state>', `only jobs in this state: ${STATES.join(', ')}`)
    .option('-n, --limit <n>', 'at most this many jobs', '50')
    .option('--json', 'print as JSON')
    .action(async (opts: { state?: string; limit: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      if (opts.state !== undefined && !STATES.includes(opts.state as JobState)) {
        throw new api.InvalidArgumentError(`unknown job state '${opts.state}': use ${STATES.join(', ')}`, {
          state: opts.state,
        });
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new api.InvalidArgumentError(`--limit must be a positive integer, not '${opts.limit}'`, {
          limit: opts.limit,
        });
      }
      await withRepository(global(), async (repo) => {
        const queue = await api.openRepositoryJobQueue(repo, { records: true });
        try {
          const jobs = await queue.listJobs({
            limit,
            ...(opts.state === undefined ? {} : { states: [opts.state as JobState] }),
          });
          if (opts.json) return printJson(jobs);
          if (jobs.length === 0) return say('no jobs');
          for (const record of jobs)
            say(
              `${record.id}  ${paintState(record.state)} ${record.kind.padEnd(14)} ${progress(record).padEnd(12)} ${dim(record.createdAt)}`,
            );
        } finally {
          await queue.close();
        }
      });
    });

  job
    .command('show <id>')
    .description('show one job: state, task counts, timings, workers that joined, errors')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const queue = await api.openRepositoryJobQueue(repo, { records: true });
        try {
          const record = await queue.getJob(id);
          if (record === undefined) throw new api.NotFoundError(`no job ${id}`, { what: 'job', id });
          if (opts.json) printJson(record);
          else showJob(record);
        } finally {
          await queue.close();
        }
      });
    });

  job
    .command('cancel <id>')
    .description('cancel a queued or running job: its queued tasks are dropped, running ones stop')
    .option(
      '--queue <engine>',
      "the job queue: 'local' or redis://host:port (default STRATA_QUEUE, then the config)",
    )
    .option('--json', 'print the cancelled job as JSON')
    .action(async (id: string, opts: { queue?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const queue = await api.openRepositoryJobQueue(
          repo,
          opts.queue === undefined ? {} : { queue: opts.queue },
        );
        try {
          const record = await queue.cancel(id);
          if (opts.json) printJson(record);
          else say(`Cancelled job ${record.id} (${progress(record)} tasks done)`);
        } finally {
          await queue.close();
        }
      });
    });
}
