import { DEFAULT_LOCK_LEASE_MS, type LockRecord } from '../../catalog/catalog.js';
import { ConfigError, isStrataError, LockError, LockLostError } from '../../errors/index.js';
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
 * The lock lease in ms: `STRATA_LOCK_LEASE_MS` when set (tests use short leases), else 30 s. A
 * holder renews at a third of it, so two renewals may fail before the lock goes stale.
 */
export function lockLeaseMs(): number {
  const raw = process.env.STRATA_LOCK_LEASE_MS;
  if (raw === undefined || raw === '') return DEFAULT_LOCK_LEASE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0)
    throw new ConfigError(`STRATA_LOCK_LEASE_MS must be a positive whole number of ms, not '${raw}'`, {
      variable: 'STRATA_LOCK_LEASE_MS',
      value: raw,
    });
  return ms;
}

/** Receives the one-line notices lock handling gives (a stale lock taken over). */
export type LockNoticeListener = (message: string) => void;

let noticeListener: LockNoticeListener = (message) => process.stderr.write(`warning: ${message}\n`);

/** Replaces where lock notices go (stderr by default); returns the previous listener. */
export function setLockNoticeListener(listener: LockNoticeListener): LockNoticeListener {
  const previous = noticeListener;
  noticeListener = listener;
  return previous;
}

function describeTakeover(lock: LockRecord): string {
  return `took over lock '${lock.name}' from pid ${lock.pid} on ${lock.host} (${lock.command}): its lease expired at ${lock.leaseUntil} without renewal`;
}

/** Locks this process holds: renewed in the background until released. */
export interface HeldLocks {
  readonly names: readonly string[];
  /**
   * Renews the lease now and throws `LockLostError` when any lock is no longer ours (its lease
   * expired and another process took it over, or `lock release --force` freed it). Writers call
   * it right before the step that makes their work visible (a commit's ref update).
   */
  assertStillHeld(): Promise<void>;
  /** Stops renewal and releases the locks; calling it again does nothing. */
  release(): Promise<void>;
}

/**
 * Takes the named locks for this process, with a lease renewed by an unref'd timer at a third of
 * the lease. A lock held by a process that is gone (same host, dead pid) is reported as stale with
 * the command that frees it; a lock whose lease expired is taken over, with a notice. For locks
 * held across calls (a writer checkout); `withLocks` is the scoped form.
 */
export async function holdLocks(
  repo: Repository,
  names: readonly string[],
  options: { exclusive?: boolean } = {},
): Promise<HeldLocks> {
  const actor = currentActor();
  const leaseMs = lockLeaseMs();
  const holder = {
    pid: actor.pid,
    host: actor.host,
    startedAt: new Date().toISOString(),
    command: actor.command,
  };
  let grant;
  try {
    grant = await repo.catalog.acquireLocks(names, holder, { ...options, leaseMs });
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
  for (const lock of grant.takenOver) noticeListener(describeTakeover(lock));
  const { token } = grant;
  let lost = false;
  let released = false;
  let renewing: Promise<void> | undefined;

  const lostError = () =>
    new LockLostError(
      `lost lock ${names.map((n) => `'${n}'`).join(', ')}: its lease expired and another process took it over (or 'strata lock release --force' freed it); nothing was made visible, run the command again`,
      { locks: [...names], leaseMs },
    );
  const renew = async (): Promise<void> => {
    if (lost || released) return;
    if (!(await repo.catalog.renewLocks(names, token, leaseMs))) lost = true;
  };
  const timer = setInterval(
    () => {
      // One renewal at a time; a failed one (catalog unreachable) is retried at the next tick, and
      // the lease covers two missed ticks.
      renewing ??= renew()
        .catch(() => undefined)
        .finally(() => {
          renewing = undefined;
        });
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  timer.unref();

  // Ctrl-C or SIGTERM releases the locks before the process exits (see cli/signals.ts).
  const releaseRows = () => repo.catalog.releaseLocks(names, { ...holder, token });
  const forget = onInterrupt(releaseRows);
  return {
    names: [...names],
    async assertStillHeld() {
      if (!lost) await renew();
      if (lost) throw lostError();
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      forget();
      await renewing;
      await releaseRows();
    },
  };
}

/** `holdLocks`, returning only the function that releases the locks. */
export async function acquireLocks(
  repo: Repository,
  names: readonly string[],
  options: { exclusive?: boolean } = {},
): Promise<() => Promise<void>> {
  const held = await holdLocks(repo, names, options);
  return () => held.release();
}

/**
 * Runs `work` holding the named locks, and always releases them. `work` gets the held locks, to
 * check they are still its own before it makes anything visible.
 */
export async function withLocks<T>(
  repo: Repository,
  names: readonly string[],
  work: (held: HeldLocks) => Promise<T>,
  options: { exclusive?: boolean } = {},
): Promise<T> {
  const held = await holdLocks(repo, names, options);
  try {
    return await work(held);
  } finally {
    await held.release();
  }
}
