import type { ResourceRecord, ScanState, StatCacheEntry } from '../../catalog/catalog.js';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import type { ResourceSnapshot, RootTree } from '../objects/commit-object.js';
import type { ScanHooks, ScannedFile, SkippedEntry } from './scan-folder.js';

// The shapes `readWorkingState` and its helpers share, apart so that the helpers need not import it.

/**
 * Turns a file's path into its content id, storing it or only hashing it. `chunked`: the id is a
 * chunk manifest's (files of `CHUNKED_FILE_MIN` bytes or more, see `store/chunked`).
 */
export type FileHasher = (file: ScannedFile) => Promise<{ id: ObjectId; size: number; chunked?: boolean }>;

/** One resource as it is on disk now. */
export interface WorkingResource {
  readonly record: ResourceRecord;
  /** The files read: all of them, or those of the folders that changed when the map was edited. */
  readonly files: readonly ScannedFile[];
  /** Entries that cannot be versioned (FIFOs, sockets, devices, names not in UTF-8). */
  readonly skipped: readonly SkippedEntry[];
  readonly snapshot: ResourceSnapshot;
  /** Stat-cache rows for files that had to be hashed. */
  readonly freshCache: readonly StatCacheEntry[];
  /** Stat-cache rows of files no longer there. */
  readonly staleCache: readonly { resource: string; path: string }[];
  /** The scan to remember, when there is a new one worth remembering. */
  readonly scanState?: ScanState;
}

/** The whole working state: every registered resource, and the root tree it would commit as. */
export interface WorkingState {
  readonly resources: readonly WorkingResource[];
  readonly tree: RootTree;
  /** Every map node built, by id, for diffs against stored trees before anything is written. */
  readonly overlay: ReadonlyMap<ObjectId, Uint8Array>;
  /** How many files had to be read because the stat cache could not vouch for them. */
  readonly hashed: number;
  /** Every entry of every resource that could not be versioned, to be reported (never silently dropped). */
  readonly skipped: readonly (SkippedEntry & { readonly resource: string })[];
}

/** Options of `readWorkingState`. */
export interface WorkingStateOptions {
  readonly hashFile: FileHasher;
  /**
   * The tree the caller will compare with (HEAD's): a resource whose scan fingerprint is unchanged
   * since it last hashed to this tree's map is taken as is, without reading the stat cache.
   */
  readonly base?: RootTree;
  /** Only these resources (default: all registered). */
  readonly only?: readonly string[];
  readonly hooks?: ScanHooks;
  /** Called after each file that had to be hashed (progress bars). */
  readonly onHashed?: (done: number, total: number) => void;
  /**
   * Given to a commit: which of these ids the store holds. The stat cache vouches for hashes that
   * `status` computed without storing anything, so a stored resource trusts a cached hash only when
   * its object is in the store; the others are read (and stored) again.
   */
  readonly storedOf?: (ids: readonly ObjectId[]) => Promise<Set<ObjectId>>;
  /**
   * Given to a commit: stores a symbolic link's target (its content) and returns its id. Without
   * it, link targets are only hashed.
   */
  readonly storeBytes?: (data: Uint8Array) => Promise<ObjectId>;
  /**
   * Set by a commit, whose result becomes the base: the scan state and the removal of stale
   * stat-cache rows are then always recorded. Otherwise a resource whose map was edited (not
   * rebuilt) and differs from the base records neither, so that the next scan still edits the
   * base's map (see `editWorkingMap`).
   */
  readonly committing?: boolean;
}

/** A digest of every folder's digest: equal digests mean no file was added, removed or touched. */
export function scanFingerprint(folders: ReadonlyMap<string, string>): string {
  const sorted = [...folders].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return hashBytes(Buffer.from(sorted.map(([folder, digest]) => `${folder}\u0000${digest}`).join('\n')));
}
