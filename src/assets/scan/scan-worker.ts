/** A scan worker: walks the subtrees it is given and answers with their files as columns. */
import { parentPort, workerData } from 'node:worker_threads';
import { columnsDigest, emptyColumns, walkFolders, type ScanColumns } from './walk.js';

export interface ScanWorkerInput {
  readonly root: string;
  readonly folders: readonly string[];
  readonly include: string;
  readonly exclude: string;
}

if (parentPort) {
  const input = workerData as ScanWorkerInput;
  const out: ScanColumns = emptyColumns();
  try {
    walkFolders(
      input.root,
      input.folders,
      {
        include: input.include ? new RegExp(input.include) : undefined,
        exclude: input.exclude ? new RegExp(input.exclude) : undefined,
      },
      out,
    );
    parentPort.postMessage({ ok: true, out, digest: columnsDigest(out) });
  } catch (err) {
    parentPort.postMessage({ ok: false, message: (err as Error).message });
  }
}
