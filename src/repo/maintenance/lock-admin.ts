import { hostname } from 'node:os';
import type { LockRecord } from '../../catalog/catalog.js';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { isProcessAlive } from '../commit/locks.js';
import type { Repository } from '../repository.js';

/** A held lock, with whether its holder is known to be gone. */
export interface LockStatus extends LockRecord {
  /** True when the holder ran on this host and its pid is no longer alive. */
  readonly stale: boolean;
}

export async function listLocks(repo: Repository): Promise<LockStatus[]> {
  const host = hostname();
  return (await repo.catalog.listLocks()).map((l) => ({
    ...l,
    stale: l.host === host && !isProcessAlive(l.pid),
  }));
}

/** One lock removed by `releaseLocks`, and why it was safe (or forced). */
export interface ReleasedLock extends LockStatus {
  readonly forced: boolean;
}

/**
 * Frees locks. Without `force`, only stale ones (holder dead on this host) are freed; a live or
 * remote holder is refused with an error naming it. With `force`, the named lock (or every lock)
 * goes whoever holds it: only for a holder you know is gone (e.g. on another machine).
 */
export async function releaseLocks(
  repo: Repository,
  options: { name?: string; force?: boolean } = {},
): Promise<ReleasedLock[]> {
  const all = await listLocks(repo);
  const chosen = options.name ? all.filter((l) => l.name === options.name) : all;
  if (options.name && chosen.length === 0)
    throw new NotFoundError(`no lock named '${options.name}' is held`, { what: 'lock', name: options.name });
  const released: ReleasedLock[] = [];
  for (const lock of chosen) {
    if (!lock.stale && !options.force) {
      if (options.name) {
        throw new InvalidArgumentError(
          `lock '${lock.name}' is held by pid ${lock.pid} on ${lock.host}, which may still be running; use --force if you are sure it is gone`,
          { lock },
        );
      }
      continue;
    }
    const removed = await repo.catalog.forceReleaseLock(lock.name);
    if (removed) released.push({ ...lock, forced: !lock.stale });
  }
  return released;
}
