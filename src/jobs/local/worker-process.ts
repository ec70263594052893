import { pathToFileURL } from 'node:url';
import { openJobQueue } from '../open-job-queue.js';
import type { TaskHandler } from '../port.js';
import type { WorkerProcessOptions } from './worker-processes.js';

/**
 * Entry of one worker process (see `startWorkerProcesses`): opens the queue, imports the handlers
 * module, runs a worker until the joined job ends or SIGTERM arrives, then exits 0.
 */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]!) as WorkerProcessOptions;
  const module = (await import(pathToFileURL(options.handlersModule).href)) as {
    handlers?: Record<string, TaskHandler>;
  };
  if (module.handlers === undefined) throw new Error(`${options.handlersModule} exports no 'handlers'`);
  const queue = await openJobQueue(options.location);
  const worker = queue.createWorker({
    handlers: module.handlers,
    ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    onError: (err) => process.stderr.write(`worker ${process.pid}: ${(err as Error).message}\n`),
  });
  process.once('SIGTERM', () => void worker.close());
  await worker.idle;
  await worker.close();
  await queue.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`worker ${process.pid}: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
