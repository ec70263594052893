import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { runFileOps, type FileOp } from './file-ops.js';
import type { MoveEntry } from './move-files.js';

/** Options of `copyFiles`. */
export interface CopyFilesOptions {
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** More operations to run in the same pass (metadata writes), spread over the same threads. */
  readonly alsoWrite?: readonly FileOp[];
}

/** Creates every folder the targets need, each once. */
export function makeParentFolders(paths: Iterable<string>): void {
  const dirs = new Set<string>();
  for (const p of paths) dirs.add(dirname(p));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
}

/**
 * Copies files with synchronous calls (inline, or in `threads` workers; see `runFileOps` for
 * why one thread is the default): small files through one buffer, big ones by the kernel or
 * cloned where the filesystem can (reflink: no data copied at all). Targets are written in place and not fsynced: the sources
 * stay, the staging journal marks the run as unfinished until it is committed, and the commit
 * makes the content durable in the store.
 */
export async function copyFiles(
  entries: readonly MoveEntry[],
  options: CopyFilesOptions = {},
): Promise<void> {
  const extra = options.alsoWrite ?? [];
  makeParentFolders([
    ...entries.map((e) => e.to),
    ...extra.map((op) => ('copy' in op ? op.copy[1] : op.write[0])),
  ]);
  const ops: FileOp[] = entries.map((e) => ({ copy: [e.from, e.to] as const }));
  await runFileOps(extra.length > 0 ? [...ops, ...extra] : ops, {
    threads: options.threads,
    onProgress: options.onProgress,
  });
}
