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
  /**
   * A digest of each folder's own files (stat fields as in `fingerprint`), by folder path relative
   * to the resource (`''` for its top), for folders holding at least one file. With it, a scan
   * whose folder digests mostly match needs the stat-cache rows of the other folders only, and can
   * edit `mapRoot` instead of rebuilding it. Absent in states saved before folders were recorded.
   */
  readonly folders?: ReadonlyMap<string, string>;
}

/**
 * The stat cache and scan states of one working folder's files. A shared repository keeps it
 * local (other machines' inodes mean nothing here).
 */
export interface StatCache {
  loadStatCache(resource: string): Promise<Map<string, StatCacheEntry>>;
  /**
   * The entries of the files directly inside the given folders (paths relative to the resource,
   * `''` for its top; a file in a subfolder of one is not included unless that subfolder is listed).
   */
  loadStatCacheFolders(resource: string, folders: readonly string[]): Promise<Map<string, StatCacheEntry>>;
  /** Inserts or replaces entries, and deletes the `(resource, path)` pairs in `remove`. */
  updateStatCache(
    upsert: readonly StatCacheEntry[],
    remove?: readonly { resource: string; path: string }[],
  ): Promise<void>;
  /** Forgets the entries and scan state of one resource, or of all. */
  clearStatCache(resource?: string): Promise<void>;
  /** What the last full scan of each resource found (see `ScanState`). */
  loadScanStates(): Promise<Map<string, ScanState>>;
  /** Inserts or replaces scan states. */
  saveScanStates(states: readonly ScanState[]): Promise<void>;
}
