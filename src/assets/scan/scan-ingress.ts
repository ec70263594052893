import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../../errors/index.js';
import { compiledModuleUrl } from '../../util/compiled-module-url.js';
import type { ScanWorkerInput } from './scan-worker.js';
import { hashBytes } from '../../util/hash.js';
import {
  columnsDigest,
  emptyColumns,
  listFolder,
  walkFolders,
  type CompiledFilter,
  type ScanColumns,
} from './walk.js';

/** One file found in the ingress folder, with the stat that tells whether it changed. */
export interface ScannedFile {
  /** Relative to the ingress root, `/`-separated. */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** Which files count: regexes on the path relative to the ingress root. */
export interface ScanFilter {
  /** A file is kept only when this matches ('' keeps everything). */
  readonly include?: string;
  /** A file is dropped when this matches ('' drops nothing). */
  readonly exclude?: string;
  /** Threads for big trees (default every core); 0 or 1 walks in this thread. */
  readonly threads?: number;
}

/** Folders found before the walk is shared among threads: fewer, and threads cost more than they save. */
const PARALLEL_FROM = 64;

function compile(filter: ScanFilter): CompiledFilter {
  return {
    include: filter.include ? new RegExp(filter.include) : undefined,
    exclude: filter.exclude ? new RegExp(filter.exclude) : undefined,
  };
}

function checkRoot(root: string): string {
  const absolute = path.resolve(root);
  if (!statSync(absolute, { throwIfNoEntry: false })?.isDirectory())
    throw new ConfigError(`ingress_directory: '${root}' is not a folder`, {
      key: 'ingress_directory',
      path: root,
    });
  return absolute;
}

function toFiles(root: string, columns: readonly ScanColumns[]): ScannedFile[] {
  const files: ScannedFile[] = [];
  for (const c of columns)
    for (let i = 0; i < c.paths.length; i++)
      files.push({
        path: c.paths[i]!,
        absolutePath: `${root}/${c.paths[i]}`,
        size: c.sizes[i]!,
        mtimeMs: c.mtimes[i]!,
        ino: c.inos[i]!,
      });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Lists every file under `root` (recursively, sorted by path) whose relative path passes the
 * filter, with size, modification time and inode: synchronous `readdirSync` + `statSync` loops
 * (several times faster than awaiting each call). Symbolic links to files are followed; links to
 * folders are not. Small trees are walked in this thread only.
 */
export function scanIngress(root: string, filter: ScanFilter = {}): ScannedFile[] {
  const absolute = checkRoot(root);
  const compiled = compile(filter);
  const out = emptyColumns();
  walkFolders(absolute, listFolder(absolute, '', compiled, out), compiled, out);
  return toFiles(absolute, [out]);
}

/** What a scan found: a digest of every file's path and stat, and the files (built when asked). */
export interface ScanResult {
  /**
   * Equal for two scans of the same files with the same sizes, mtimes and inodes (with the same
   * thread count); different otherwise.
   */
  readonly digest: string;
  /** Every file, sorted by path (built once, on the first call). */
  files(): ScannedFile[];
}

function scanResult(root: string, parts: readonly ScanColumns[], digests: readonly string[]): ScanResult {
  let files: ScannedFile[] | undefined;
  return {
    digest: hashBytes(Buffer.from(`scan-2\0${digests.join('\0')}`)),
    files: () => (files ??= toFiles(root, parts)),
  };
}

/**
 * `scanIngress` on every core for big trees: the top levels are listed here until there are
 * enough folders to share, then worker threads walk their shares and send back columns and their
 * digest. The files become objects only when asked: an unchanged tree is told by its digest alone.
 */
export async function scanIngressDigested(root: string, filter: ScanFilter = {}): Promise<ScanResult> {
  const absolute = checkRoot(root);
  const compiled = compile(filter);
  const threads = filter.threads ?? availableParallelism();
  const here = emptyColumns();
  let frontier = [''];
  // Breadth-first until the frontier is wide enough to share (or the tree ends).
  while (frontier.length > 0 && frontier.length < PARALLEL_FROM) {
    const next: string[] = [];
    for (const folder of frontier) next.push(...listFolder(absolute, folder, compiled, here));
    frontier = next;
  }
  if (threads <= 1 || frontier.length < PARALLEL_FROM) {
    walkFolders(absolute, frontier, compiled, here);
    return scanResult(absolute, [here], [columnsDigest(here)]);
  }
  const shares: string[][] = Array.from({ length: threads }, () => []);
  frontier.forEach((folder, i) => shares[i % threads]!.push(folder));
  const url = compiledModuleUrl('assets/scan/scan-worker.js');
  // This thread walks the first share while workers walk the others: one worker fewer to start.
  const pending = Promise.all(
    shares.slice(1).map(
      (folders) =>
        new Promise<{ out: ScanColumns; digest: string }>((resolve, reject) => {
          const input: ScanWorkerInput = {
            root: absolute,
            folders,
            include: filter.include ?? '',
            exclude: filter.exclude ?? '',
          };
          const worker = new Worker(url, { workerData: input });
          worker.once(
            'message',
            (reply: { ok: boolean; out?: ScanColumns; digest?: string; message?: string }) => {
              void worker.terminate();
              if (reply.ok) resolve({ out: reply.out!, digest: reply.digest! });
              else reject(new Error(`scanning ${root}: ${reply.message}`));
            },
          );
          worker.once('error', reject);
        }),
    ),
  );
  // Walking here blocks this thread; a failure still waits for the workers before it is thrown.
  let failure: unknown;
  try {
    walkFolders(absolute, shares[0]!, compiled, here);
  } catch (err) {
    failure = err;
  }
  const parts = await pending;
  if (failure !== undefined) throw failure;
  return scanResult(
    absolute,
    [here, ...parts.map((p) => p.out)],
    [columnsDigest(here), ...parts.map((p) => p.digest)],
  );
}

/** `scanIngressDigested`'s files. */
export async function scanIngressParallel(root: string, filter: ScanFilter = {}): Promise<ScannedFile[]> {
  return (await scanIngressDigested(root, filter)).files();
}
