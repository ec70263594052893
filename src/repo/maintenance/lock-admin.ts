import { hostname } from 'node:os';
import type { LockRecord } from '../../catalog/catalog.js';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { isProcessAlive } from '../commit/locks.js';
import type { Repository } from '../repository.js';

/** Why a lock is stale: its holder's pid is gone on this host, or its lease ended unrenewed. */
export type StaleReason = 'dead-pid' | 'lease-expired';

/** A held lock, with whether its holder is known to be gone. */
export interface LockStatus extends LockRecord {
  /** True when the holder is known to be gone (`staleReason` says how). */
  readonly stale: boolean;
  readonly staleReason: StaleReason | null;
}

function staleReason(lock: LockRecord, host: string): StaleReason | null {
  if (lock.host === host && !isProcessAlive(lock.pid)) return 'dead-pid';
  if (lock.leaseExpired) return 'lease-expired';
  return null;
}

/** Every held lock with its staleness: a dead pid on this host, or an expired lease on any host. */
export async function listLocks(repo: Repository): Promise<LockStatus[]> {
  const host = hostname();
  return (await repo.catalog.listLocks()).map((l) => {
    const reason = staleReason(l, host);
    return { ...l, stale: reason !== null, staleReason: reason };
  });
}

/** One lock removed by `releaseLocks`, and why it was safe (or forced). */
export interface ReleasedLock extends LockStatus {
  readonly forced: boolean;
}

/**
 * Frees locks. Without `force`, only stale ones (holder dead on this host, or lease expired on any
 * host) are freed; a live or remote holder is refused with an error naming it. A lease-expired lock
 * is removed only if still expired at that moment, so a holder that renewed in between keeps it.
 * With `force`, the named lock (or every lock) goes whoever holds it: only for a holder you know is
 * gone.
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
          `lock '${lock.name}' is held by pid ${lock.pid} on ${lock.host}, which may still be running (lease until ${lock.leaseUntil ?? 'none'}); use --force if you are sure it is gone`,
          { lock },
        );
      }
      continue;
    }
    const onlyIfExpired = !options.force && lock.staleReason === 'lease-expired';
    const removed = await repo.catalog.forceReleaseLock(lock.name, { ifLeaseExpired: onlyIfExpired });
    if (removed) released.push({ ...lock, forced: !lock.stale });
  }
  return released;
}
