import { parentPort, workerData } from 'node:worker_threads';
import { loadIgnoreRules } from './ignore/ignore-rules.js';
import { plainFiles, scanTree } from './scan-folder.js';
import type { ScanShareRequest } from './scan-parallel.js';

/** Scans one share of a resource folder for `scanTreeInParallel` and posts the result back. */
const request = workerData as ScanShareRequest;
const stored = request.stored ? new Map(request.stored) : undefined;
const result = scanTree(request.root, {
  skip: request.skip,
  ignore: loadIgnoreRules(request.ignore),
  share: request.share,
  keepFolder: stored
    ? (folder, digest, newest) => stored.get(folder) !== digest || newest >= request.racyAfter
    : undefined,
});
parentPort!.postMessage({ ...result, files: plainFiles(result.files) });
