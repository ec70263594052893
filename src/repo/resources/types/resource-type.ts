import type { ResourceRecord } from '../../../catalog/catalog.js';

/**
 * How a resource's files are versioned: `stored` copies their contents into the object store (a
 * restore can write them back), `hashed` records content hashes only (the files live elsewhere
 * and are referenced, not copied), `stat` records size and mtime only (`--no-hash`).
 */
export type ContentMode = 'stored' | 'hashed' | 'stat';

/** Extra state a resource type records in each snapshot (a git repository's HEAD commit). */
export type ResourceExtra = Readonly<Record<string, unknown>>;

/**
 * The ResourceType port: one implementation per kind of resource (`folder` inside the repository,
 * `local` folder elsewhere on disk, `git` repository). Scanning, commit, checkout and restore ask
 * the resource's type where its files are and what may be done with them.
 */
export interface ResourceType {
  readonly type: string;
  /** Checks a path typed by a user (relative to `cwd`) and returns the path to record. */
  checkPath(repoRoot: string, path: string, cwd: string): string;
  /** The absolute folder of a registered resource. */
  locate(repoRoot: string, path: string): string;
  /**
   * The folder to scan or write, checked through its real path first (symbolic links resolved):
   * a resource must never lead Strata outside the repository, or an external one back into it.
   * Throws `ResourceSymlinkError`.
   */
  open(repoRoot: string, path: string): string;
  /** How file contents are recorded (see ContentMode). */
  contentMode(options: ResourceRecord['options']): ContentMode;
  /** Folder names never scanned (besides `.strata`), e.g. `.git`. */
  readonly skip: readonly string[];
  /** Extra state to record in the snapshot, read from the folder now (and the resource's options). */
  describe?(abs: string, options?: ResourceRecord['options']): ResourceExtra;
  /**
   * Brings the folder back to a snapshot's extra state (git: checks out the commit). Throws when
   * that would lose work (a dirty git repository). Called only for writable resources.
   */
  restoreExtra?(abs: string, name: string, extra: ResourceExtra | undefined): boolean;
  /**
   * For a local copy of files kept elsewhere (rclone remote, S3 prefix): brings the copy at `abs`
   * in step with its origin. Called when the resource is added and before every snapshot, so a
   * snapshot records what the origin holds.
   */
  refresh?(abs: string, record: ResourceRecord): Promise<void>;
  /**
   * Sends the local copy back to its origin after a restore wrote it (S3: the snapshot's objects
   * go back into the bucket). Called only for writable resources.
   */
  publish?(abs: string, record: ResourceRecord): Promise<void>;
  /**
   * Checks a resource location read from a stored tree (a tree is data); types whose locations are
   * not paths on disk (`s3://...`) check their own form. Returns it unchanged or throws.
   */
  checkStoredLocation?(path: string): string;
}
