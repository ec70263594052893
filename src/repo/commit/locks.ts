import { isStrataError, LockError } from '../../errors/index.js';
import { onInterrupt } from '../../util/interrupt-cleanup.js';
import { currentActor, type Repository } from '../repository.js';

/** True when `pid` is a live process on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes the named locks for this process and returns the function that releases them. A lock held
 * by a process that is gone (same host, dead pid) is reported as stale with the command that frees
 * it. For locks held across calls (a writer checkout); `withLocks` is the scoped form.
 */
export async function acquireLocks(
  repo: Repository,
  names: readonly string[],
  options: { exclusive?: boolean } = {},
): Promise<() => Promise<void>> {
  const actor = currentActor();
  const holder = {
    pid: actor.pid,
    host: actor.host,
    startedAt: new Date().toISOString(),
    command: actor.command,
  };
  try {
    await repo.catalog.acquireLocks(names, holder, options);
  } catch (err) {
    if (isStrataError(err) && err.code === 'E_LOCKED') {
      const h = err.data.holder as { pid: number; host: string } | undefined;
      if (h && h.host === actor.host && !isProcessAlive(h.pid)) {
        throw new LockError(
          `${err.message}; that process is no longer running: 'strata lock release' frees the stale lock`,
          {
            ...err.data,
            stale: true,
          },
        );
      }
    }
    throw err;
  }
  // Ctrl-C or SIGTERM releases the locks before the process exits (see cli/signals.ts).
  const release = () => repo.catalog.releaseLocks(names, holder);
  const forget = onInterrupt(release);
  return async () => {
    forget();
    await release();
  };
}

/** Runs `work` holding the named locks, and always releases them. */
export async function withLocks<T>(
  repo: Repository,
  names: readonly string[],
  work: () => Promise<T>,
  options: { exclusive?: boolean } = {},
): Promise<T> {
  const release = await acquireLocks(repo, names, options);
  try {
    return await work();
  } finally {
    await release();
  }
}
