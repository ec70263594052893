import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledModuleUrl } from '../../util/compiled-module-url.js';
import type { JobQueueLocation } from '../open-job-queue.js';

/** What each worker process runs. */
export interface WorkerProcessOptions {
  /** Where the queue is; each process opens it. */
  readonly location: JobQueueLocation;
  /** Absolute path of an ES module exporting `handlers: Record<kind, TaskHandler>`. */
  readonly handlersModule: string;
  /** Work only on this job and exit once it has ended (join); default every job, until stopped. */
  readonly jobId?: string;
  readonly concurrency?: number;
  readonly leaseMs?: number;
}

/** A pool of worker processes on this machine. */
export interface WorkerProcessPool {
  readonly processes: readonly ChildProcess[];
  /** Resolves when every process has exited, with their exit codes (null: killed by a signal). */
  readonly exited: Promise<(number | null)[]>;
  /** Asks every process to stop (SIGTERM: no new leases, tasks in hand finish) and waits. */
  stop(): Promise<(number | null)[]>;
}

const entry = (): string => fileURLToPath(compiledModuleUrl('jobs/local/worker-process.js'));

/**
 * Starts `count` worker processes (`node worker-process.js`), each opening the queue and running a
 * `JobWorker` with the module's handlers. Processes, not threads: a crash or `kill -9` of one loses
 * only its leases, which the others take over once they expire.
 */
export function startWorkerProcesses(count: number, options: WorkerProcessOptions): WorkerProcessPool {
  const processes = Array.from({ length: count }, () =>
    spawn(process.execPath, [entry(), JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit'] }),
  );
  const exited = Promise.all(
    processes.map(
      (child) =>
        new Promise<number | null>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
          else child.once('exit', (code) => resolve(code));
        }),
    ),
  );
  return {
    processes,
    exited,
    async stop() {
      for (const child of processes)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
