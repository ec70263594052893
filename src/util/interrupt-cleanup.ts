import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What an interrupted process must undo before it exits: release its locks, remove its temporary
 * files. Lock acquisition and temp-file creation register here; the CLI's SIGINT/SIGTERM handler
 * (and its EPIPE handler) runs everything registered, then exits. Only SIGKILL, which no process
 * can catch, may leave a stale lock or a temp file behind (`strata lock release`, `strata gc`).
 */
export type Cleanup = () => void | Promise<void>;

const cleanups = new Set<Cleanup>();
/** Folders where this process makes temp files, with the test that a name is one of its own. */
const tempFolders = new Map<string, (name: string) => boolean>();

/**
 * Registers `cleanup` to run if the process is interrupted; returns the function that
 * unregisters it (call it once the work is undone normally, e.g. the lock is released).
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

/**
 * Records that this process makes temp files in `folder`, named so that `isOwn(name)` is true
 * (e.g. they carry its pid). An interrupt removes every such file still there. One entry per
 * folder, whatever the number of files: a checkout of a million files registers its folders only.
 */
export function registerTempFolder(folder: string, isOwn: (name: string) => boolean): void {
  if (!tempFolders.has(folder)) tempFolders.set(folder, isOwn);
}

function removeTempFiles(): void {
  for (const [folder, isOwn] of tempFolders) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue; // the folder is gone: nothing of ours is left in it
    }
    for (const name of names) {
      if (!isOwn(name)) continue;
      try {
        rmSync(join(folder, name), { recursive: true, force: true });
      } catch {
        // Best effort: a file we cannot remove is left for `strata gc` and recovery.
      }
    }
  }
}

/**
 * Runs every registered cleanup (newest first, each once; one that fails does not stop the
 * others), then removes this process's temp files. Called on SIGINT, SIGTERM and EPIPE.
 */
export async function runInterruptCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      await cleanup();
    } catch {
      // Keep going: the other locks and files must still be released.
    }
  }
  removeTempFiles();
}
