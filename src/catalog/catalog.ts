/** Where a packed object's data lies. Same shape as the store's `PackLocation` (ports stay apart). */
export interface PackIndexEntry {
  readonly id: string;
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

/** The pack index the catalog keeps for `FsObjectStore`; structurally the store's `PackIndex`. */
export interface CatalogPackIndex {
  lookup(ids: readonly string[]): Promise<Map<string, Omit<PackIndexEntry, 'id'>>>;
  add(entries: readonly PackIndexEntry[]): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  entries(): AsyncIterable<PackIndexEntry>;
}

/** A ref row: a branch or tag (`target` = commit id), or HEAD (`symbolic` = the branch it follows). */
export interface RefRecord {
  readonly name: string;
  readonly target: string | null;
  readonly symbolic: string | null;
}

/** What the stat cache remembers of one file: if size, mtime and inode still match, so does the hash. */
export interface StatCacheEntry {
  readonly resource: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly hash: string;
  /** When the hash was taken; a file modified in the same instant is re-hashed ("racy" entries). */
  readonly recordedMs: number;
}

/**
 * A resource's last full scan: a fingerprint of every file's (path, size, mtime, inode, mode) and
 * the Merkle map root those files hashed to. When a new scan has the same fingerprint and every
 * mtime is older than `recordedMs` by more than the racy window, the map root is still right and
 * nothing needs to be hashed or built: what makes a clean `status` fast.
 */
export interface ScanState {
  readonly resource: string;
  readonly fingerprint: string;
  readonly mapRoot: string;
  readonly files: number;
  readonly bytes: number;
  readonly recordedMs: number;
}

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

/** A registered resource: a named file tree with a role. */
export interface ResourceRecord {
  readonly name: string;
  /** For in-repository folders, the path relative to the repository root, with `/` separators. */
  readonly path: string;
  readonly role: string;
  readonly type: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/**
 * The catalog port: everything mutable about a repository (refs, the stat cache, the pack index,
 * locks, resource registrations, config). Adapters: `SqliteCatalog` (embedded default) and
 * `PostgresCatalog` (shared); both pass `runCatalogConformance`.
 */
export interface Catalog {
  readonly dialect: string;

  getRef(name: string): Promise<RefRecord | undefined>;
  /** Refs whose name starts with `prefix` (e.g. `refs/heads/`), sorted by name. */
  listRefs(prefix?: string): Promise<RefRecord[]>;
  /**
   * Compare-and-swap: sets `name` to `target` only if it currently points at `expected` (`null`:
   * must not exist). Throws `ConflictError` otherwise. This is the single atomic step that makes a
   * commit visible.
   */
  updateRef(name: string, target: string, expected: string | null): Promise<void>;
  /** Sets a symbolic ref (HEAD following a branch) or a detached one (`target`). */
  setSymbolicRef(name: string, value: { symbolic: string } | { target: string }): Promise<void>;
  /** Deletes a ref; with `expected`, only if it still points there (`ConflictError` otherwise). */
  deleteRef(name: string, expected?: string): Promise<void>;

  loadStatCache(resource: string): Promise<Map<string, StatCacheEntry>>;
  /** Inserts or replaces entries, and deletes the `(resource, path)` pairs in `remove`. */
  updateStatCache(
    upsert: readonly StatCacheEntry[],
    remove?: readonly { resource: string; path: string }[],
  ): Promise<void>;
  clearStatCache(resource?: string): Promise<void>;

  /** What the last full scan of each resource found (see `ScanState`). */
  loadScanStates(): Promise<Map<string, ScanState>>;
  /** Inserts or replaces scan states. */
  saveScanStates(states: readonly ScanState[]): Promise<void>;

  /** The object store's pack index, kept transactionally here. */
  readonly packIndex: CatalogPackIndex;

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

  /** Registers a resource; `AlreadyExistsError` when the name is taken. */
  addResource(resource: ResourceRecord): Promise<void>;
  /** Unregisters a resource and forgets its stat cache. */
  removeResource(name: string): Promise<void>;
  /** Replaces a registered resource's options (its parameters); false when there is no such resource. */
  setResourceOptions(name: string, options: ResourceRecord['options']): Promise<boolean>;
  /** Every registered resource, sorted by name. */
  listResources(): Promise<ResourceRecord[]>;

  getConfig(key: string): Promise<string | undefined>;
  setConfig(key: string, value: string): Promise<void>;
  /** Every config entry, keys sorted. */
  listConfig(): Promise<Record<string, string>>;

  /** Frees the connection; calling it again does nothing, any other call afterwards rejects. */
  close(): Promise<void>;
}

/** The lock held by any writer that changes the working folders (commit, checkout, restore). */
export const WORKTREE_LOCK = 'worktree';
/** The lock a writer to a branch holds. */
export function branchLockName(branch: string): string {
  return `branch:${branch}`;
}
/** The lock gc holds: exclusive of every other. */
export const GC_LOCK = 'gc';
