import { spawn, type ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import type { IngestStatus, JobQueue, Repository } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, dim, green, printJson, red, say } from '../output.js';
import { createProgress } from '../progress.js';

interface RunOptions {
  processes?: string;
  detach?: boolean;
  json?: boolean;
}

async function withQueue<T>(
  global: GlobalOptions,
  work: (repo: Repository, queue: JobQueue) => Promise<T>,
): Promise<T> {
  const api = await import('../../api/index.js');
  return withRepository(global, async (repo) => {
    const queue = await api.openIngestQueue(repo);
    try {
      return await work(repo, queue);
    } finally {
      await queue.close();
    }
  });
}

async function processCount(text: string | undefined): Promise<number> {
  const n = Number(text ?? '1');
  if (!Number.isSafeInteger(n) || n < 0 || n > 256) {
    const api = await import('../../api/index.js');
    throw new api.InvalidArgumentError(`-p must be a whole number from 0 to 256, not '${text}'`, {
      option: '-p',
    });
  }
  return n;
}

/** Task lease for workers: STRATA_INGEST_LEASE_MS (tests that kill workers use a short one). */
function leaseMs(): number | undefined {
  const ms = Number(process.env.STRATA_INGEST_LEASE_MS);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
}

/** Starts `n` worker processes (`strata ingest work ID`) on the repository. */
function startWorkers(root: string, id: string, n: number, detach: boolean): ChildProcess[] {
  return Array.from({ length: n }, () => {
    const child = spawn(process.execPath, [process.argv[1]!, '-C', root, 'ingest', 'work', id], {
      stdio: detach ? 'ignore' : ['ignore', 'ignore', 'inherit'],
      detached: detach,
    });
    if (detach) child.unref();
    return child;
  });
}

function describe(s: IngestStatus): string {
  const state =
    s.state === 'completed'
      ? green(s.state)
      : s.state === 'running' || s.state === 'queued'
        ? s.state
        : red(s.state);
  return `ingest job ${bold(s.id)} ${state}: ${s.tasks.done}/${s.tasks.total} tasks, ${(s.bytesDone / 1e6).toFixed(1)} MB, ${s.mbPerSecond} MB/s${s.commit ? `, commit ${s.commit.slice(0, 12)}` : ''}`;
}

function report(s: IngestStatus, json: boolean | undefined): void {
  if (s.state !== 'completed') process.exitCode = 1;
  if (json) return printJson(s);
  say(describe(s));
  if (s.error) say(red(`  ${s.error}`));
  for (const e of s.errors.slice(0, 20)) say(red(`  task ${e.task}: ${e.message}`));
}

/**
 * Runs a job to its end from this command: `-p N` runs one worker in this process and N - 1
 * worker processes beside it (a process of its own for every worker cost one more start of Node,
 * the bundle and sharp: a visible share of a job on a loaded machine); shows progress; then makes
 * sure the job's commit is made and reports.
 */
async function runToEnd(repo: Repository, queue: JobQueue, id: string, opts: RunOptions): Promise<void> {
  const api = await import('../../api/index.js');
  const n = await processCount(opts.processes);
  if (opts.detach) {
    startWorkers(repo.root, id, n, true);
    const s = await api.ingestStatus(repo, queue, id);
    if (opts.json) return printJson(s);
    return say(
      `ingest job ${bold(id)} ${dim(`(${n} workers in the background; strata ingest status ${id})`)}`,
    );
  }
  if (!opts.json) say(`ingest job ${bold(id)}`);
  const progress = await createProgress('ingest');
  const total = (await api.ingestStatus(repo, queue, id)).tasks.total;
  const children = startWorkers(repo.root, id, Math.max(0, n - 1), false);
  let running = children.length;
  const exited = new Promise<void>((resolve) => {
    for (const child of children)
      child.on('exit', () => {
        if (--running === 0) resolve();
      });
    if (running === 0) resolve();
  });
  const stop = queue.subscribe(id, ({ job }) => progress.update(job.counts.done + job.counts.failed, total), {
    intervalMs: 300,
  });
  const poll = () =>
    void api.ingestStatus(repo, queue, id).then((s) => progress.update(s.tasks.done + s.tasks.failed, total));
  // This process's own tasks show at once (the catalog poll above may miss a short job's steps).
  if (n >= 1) await api.runIngestWorker(repo, queue, id, { leaseMs: leaseMs(), onTask: poll });
  await exited;
  stop();
  progress.stop();
  const status = await api.finishIngestJob(repo, queue, id);
  if (status.state === 'running' || status.state === 'queued') {
    process.exitCode = 1;
    if (opts.json) return printJson(status);
    return say(
      red(`the workers stopped before ingest job ${id} ended; continue with 'strata ingest join ${id}'`),
    );
  }
  report(status, opts.json);
}

export function registerIngestCommands(program: Command, global: () => GlobalOptions): void {
  const ingest = program
    .command('ingest')
    .description('ingest jobs: read large image volumes into a volume column, with workers on any machine');

  ingest
    .command('create <config>')
    .description('check CONFIG.(json|yaml), create the job, print its id and run N workers until it ends')
    .option('-p, --processes <n>', 'worker processes on this machine', '1')
    .option('--detach', 'leave the workers in the background and return at once')
    .option('--json', 'print as JSON')
    .action(async (config: string, opts: RunOptions) => {
      const api = await import('../../api/index.js');
      await withQueue(global(), async (repo, queue) => {
        const job = await api.createIngestJob(repo, queue, config);
        await runToEnd(repo, queue, job.id, opts);
      });
    });

  ingest
    .command('join <id>')
    .description('work on an existing job (after a crash, or from another machine) until it ends')
    .option('-p, --processes <n>', 'worker processes on this machine', '1')
    .option('--detach', 'leave the workers in the background and return at once')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: RunOptions) => {
      const api = await import('../../api/index.js');
      await withQueue(global(), async (repo, queue) => {
        await api.checkJoinable(repo, queue, id);
        await runToEnd(repo, queue, id, opts);
      });
    });

  ingest
    .command('cancel <id>')
    .description(
      'cancel a job: its queued tasks go, what it wrote and did not commit loses its references (gc removes it)',
    )
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withQueue(global(), async (repo, queue) => {
        const s = await api.cancelIngestJob(repo, queue, id);
        if (opts.json) return printJson(s);
        say(`ingest job ${bold(id)} cancelled`);
      });
    });

  ingest
    .command('status <id>')
    .description("a job's state, task counts and throughput")
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withQueue(global(), async (repo, queue) => {
        const s = await api.ingestStatus(repo, queue, id);
        if (opts.json) return printJson(s);
        say(describe(s));
        if (s.error) say(red(`  ${s.error}`));
        for (const e of s.errors.slice(0, 20)) say(red(`  task ${e.task}: ${e.message}`));
      });
    });

  ingest
    .command('work <id>', { hidden: true })
    .description('one worker process of a job (started by create and join)')
    .action(async (id: string) => {
      const api = await import('../../api/index.js');
      await withQueue(global(), async (repo, queue) => {
        await api.runIngestWorker(repo, queue, id, { leaseMs: leaseMs() });
      });
    });
}
