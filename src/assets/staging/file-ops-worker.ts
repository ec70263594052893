/** Worker thread of `runFileOps`: runs its share of operations and reports progress or the error. */
import { parentPort, workerData } from 'node:worker_threads';
import { runFileOpsSync, type FileOp } from './file-ops-sync.js';

const { ops } = workerData as { ops: FileOp[] };
try {
  runFileOpsSync(ops, (done) => parentPort!.postMessage({ done }));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  parentPort!.postMessage({ error: { message: e.message, code: e.code, path: e.path } });
}
