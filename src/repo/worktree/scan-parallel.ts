import { availableParallelism } from 'node:os';
import { compiledModuleUrl } from '../../util/compiled-module-url.js';
import { loadIgnoreRules, type IgnoreRulesOptions } from './ignore/ignore-rules.js';
import { scanTree, type ScanHooks, type ScanResult, type SkipNames } from './scan-folder.js';

/**
 * Below this many files (as the last scan counted them) one thread scans: starting a worker costs
 * more than it saves. Above it, one lstat per file dominates and both cores halve the time.
 */
export const PARALLEL_SCAN_MIN_FILES = 50_000;

/** What a scan worker is given (structured-cloneable). */
export interface ScanShareRequest {
  readonly root: string;
  readonly skip: SkipNames;
  readonly ignore: IgnoreRulesOptions;
  readonly share: { readonly part: number; readonly parts: number };
  /** The last scan's folder digests, when unchanged folders' files are to be dropped. */
  readonly stored?: readonly [string, string][];
  readonly racyAfter: number;
}

/** Options of `scanResource`. */
export interface ResourceScanOptions {
  readonly skip: SkipNames;
  readonly ignore: IgnoreRulesOptions;
  readonly hooks?: ScanHooks;
  readonly stored?: ReadonlyMap<string, string>;
  readonly racyAfter: number;
  /** How many files the last scan found (sizes the decision to use workers). */
  readonly expectedFiles: number;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

async function scanShareInWorker(request: ScanShareRequest): Promise<ScanResult> {
  // Loaded only for a scan big enough to split: a small tree's status never pays for the module.
  const { Worker } = await import('node:worker_threads');
  return new Promise((resolve, reject) => {
    const worker = new Worker(compiledModuleUrl('repo/worktree/scan-worker.js'), { workerData: request });
    let done = false;
    worker.once('message', (result: ScanResult) => {
      done = true;
      resolve(result);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`the scan worker exited with code ${code} before answering`));
    });
  });
}

/**
 * Scans a resource folder (see `scanTree`), dropping the files of folders whose digest matches
 * `stored` and is clear of the racy window. A large tree is split between this thread and worker
 * threads, one per further core, by top-level subfolder: one lstat per file is the floor of a
 * scan, and the cores share it. Test hooks force a single thread (they run in this one).
 */
export async function scanResource(root: string, options: ResourceScanOptions): Promise<ScanResult> {
  const { stored, racyAfter } = options;
  const keepFolder = stored
    ? (folder: string, digest: string, newest: number) => stored.get(folder) !== digest || newest >= racyAfter
    : undefined;
  const ignore = loadIgnoreRules(options.ignore);
  const parts = Math.min(availableParallelism(), 4);
  if (options.hooks || parts < 2 || options.expectedFiles < PARALLEL_SCAN_MIN_FILES) {
    return scanTree(root, { hooks: options.hooks, skip: options.skip, ignore, keepFolder });
  }
  const requests: ScanShareRequest[] = [];
  for (let part = 1; part < parts; part++) {
    requests.push({
      root,
      skip: options.skip,
      ignore: options.ignore,
      share: { part, parts },
      stored: stored ? [...stored] : undefined,
      racyAfter,
    });
  }
  const others = requests.map(scanShareInWorker);
  const own = scanTree(root, { skip: options.skip, ignore, keepFolder, share: { part: 0, parts } });
  const results = [own, ...(await Promise.all(others))];
  const files = results.flatMap((r) => r.files).sort(byPath);
  // A link target crosses the thread boundary as a plain Uint8Array: make it a Buffer again.
  for (const f of files) {
    if (f.linkTarget && !Buffer.isBuffer(f.linkTarget)) {
      const t = f.linkTarget as Uint8Array;
      (f as { linkTarget?: Buffer }).linkTarget = Buffer.from(t.buffer, t.byteOffset, t.byteLength);
    }
  }
  const skipped = results.flatMap((r) => r.skipped).sort(byPath);
  const folders = new Map(results.flatMap((r) => [...r.folders]));
  return { files, skipped, folders };
}
