/** Who holds a lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
}

export interface LockRecord extends LockHolder {
  readonly name: string;
  /**
   * When the lease ends unless the holder renews it (ISO time, by the catalog's own clock so hosts
   * with skewed clocks agree); null for a lock taken without a lease.
   */
  readonly leaseUntil: string | null;
  /** True when the lease ended unrenewed: the lock is stale whatever host held it. */
  readonly leaseExpired: boolean;
}

/** How long a lock lives without renewal unless the caller says otherwise. */
export const DEFAULT_LOCK_LEASE_MS = 30_000;

/** What `acquireLocks` granted. */
export interface LockGrant {
  /** Names this holder's rows: renewal and release are compare-and-swaps on it. */
  readonly token: string;
  readonly leaseUntil: string;
  /** Locks whose lease had expired and which this acquisition took over from their holder. */
  readonly takenOver: readonly LockRecord[];
}

/** Options of `acquireLocks`. */
export interface AcquireLockOptions {
  /** Blocks, and is blocked by, every other lock (what `gc` needs). */
  readonly exclusive?: boolean;
  /** Lease length; `DEFAULT_LOCK_LEASE_MS` when absent. */
  readonly leaseMs?: number;
}

/** Named locks with leases, shared by every process and machine using the repository. */
export interface LockTable {
  /**
   * Takes all of `names` at once or none. Throws `LockError` naming the holder when one is held,
   * or when `exclusive` is set and any other lock is held (what `gc` needs), or when an exclusive
   * lock is held by someone else. `names` must not be empty (`InvalidArgumentError`). A lock whose
   * lease expired does not block: it is taken over (removed) and reported in `takenOver`.
   */
  acquireLocks(
    names: readonly string[],
    holder: LockHolder,
    options?: AcquireLockOptions,
  ): Promise<LockGrant>;
  /**
   * Extends the lease of the locks `token` holds among `names` to `leaseMs` from now. Returns false
   * when any of them is no longer this token's (taken over or released): the holder lost it.
   */
  renewLocks(names: readonly string[], token: string, leaseMs?: number): Promise<boolean>;
  /**
   * Releases locks held by this holder: by `token` when given, else by pid and host (others' locks
   * are left alone).
   */
  releaseLocks(
    names: readonly string[],
    holder: Pick<LockHolder, 'pid' | 'host'> & { readonly token?: string },
  ): Promise<void>;
  /**
   * Removes a lock whoever holds it. Returns what was removed. With `ifLeaseExpired`, only a lock
   * whose lease has expired at that moment (a holder that renewed in between keeps it).
   */
  forceReleaseLock(name: string, options?: { ifLeaseExpired?: boolean }): Promise<LockRecord | undefined>;
  /** Every held lock, sorted by name. */
  listLocks(): Promise<LockRecord[]>;
}

/** The lock held by any writer that changes the working folders (commit, checkout, restore). */
export const WORKTREE_LOCK = 'worktree';
/** The lock a writer to a branch holds. */
export function branchLockName(branch: string): string {
  return `branch:${branch}`;
}
/** The lock gc holds: exclusive of every other. */
export const GC_LOCK = 'gc';
