import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledModuleUrl } from '../../util/compiled-module-url.js';
import { readFile, type ReadRequest, type ReadResult } from './read-file.js';
import {
  moduleTraitLookup,
  type ReadBatch,
  type ReadBatchReply,
  type ReadWorkerInit,
} from './trait-worker.js';

/** Options of `readFiles`. */
export interface ReadFilesOptions extends ReadWorkerInit {
  /** Worker threads; default every core (`os.availableParallelism()`). 0 reads in this thread. */
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Files per message: few messages, yet small enough to share work evenly at the end. */
const BATCH = 256;
/** Below this many files, starting workers costs more than it saves. */
const IN_PROCESS_BELOW = 2 * BATCH;

/**
 * Reads files (content hash and traits) in a pool of worker threads using every core, in batches
 * of files per message. Results come back in the order of `requests`. A file that cannot be read
 * or a trait that throws becomes an error in its result; a worker that dies fails the call.
 */
export async function readFiles(
  requests: readonly ReadRequest[],
  options: ReadFilesOptions,
): Promise<ReadResult[]> {
  const total = requests.length;
  const results: ReadResult[] = new Array(total);
  const threads = Math.min(options.threads ?? availableParallelism(), Math.ceil(total / BATCH));
  if (threads <= 0 || total < IN_PROCESS_BELOW) {
    const lookup = moduleTraitLookup(options);
    for (let i = 0; i < total; i++) {
      const r = readFile(requests[i]!, lookup);
      results[i] = r instanceof Promise ? await r : r;
      if ((i + 1) % BATCH === 0 || i + 1 === total) options.onProgress?.(i + 1, total);
    }
    return results;
  }
  const init: ReadWorkerInit = { modules: options.modules, grammar: options.grammar };
  const url = compiledModuleUrl('assets/traits/trait-worker.js');
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (worker: Worker) => {
        if (next >= total) {
          if (--running === 0) resolve();
          return;
        }
        const batch: ReadBatch = { id: next, requests: requests.slice(next, next + BATCH) };
        next += BATCH;
        worker.postMessage(batch);
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(url, { workerData: init });
        workers.push(worker);
        running++;
        worker.on('message', (reply: ReadBatchReply) => {
          for (let k = 0; k < reply.results.length; k++) results[reply.id + k] = reply.results[k]!;
          done += reply.results.length;
          options.onProgress?.(done, total);
          feed(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`a read worker stopped with exit code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
