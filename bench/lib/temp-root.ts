import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './check.js';

/**
 * Runs a benchmark in a fresh temp folder that is removed afterwards, also when the run is
 * interrupted (Ctrl-C or SIGTERM), so a stopped benchmark leaves no gigabytes behind.
 */
export async function withTempRoot<T>(prefix: string, work: (root: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  // Retried: a process that just exited (git's auto-gc child) may still be writing into it.
  const cleanup = () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: removing ${root}`);
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  log(`working in ${root}`);
  try {
    return await work(root);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    cleanup();
  }
}
