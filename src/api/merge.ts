import type { ColumnConflict } from '../columns/column-merge.js';
import {
  mergeRevision as mergeWithProviders,
  type MergeOptions as RepoMergeOptions,
  type MergeResult as RepoMergeResult,
  type ResourceConflict,
} from '../repo/merge/merge-revision.js';
import type { Repository } from '../repo/repository.js';
import { DEFAULT_SECTION_PROVIDERS } from './commit.js';

/** A conflict of a merge: a column sample (`column`, `key`) or a resource file (`resource`, `path`). */
export type MergeConflict = ResourceConflict | ColumnConflict;

/** What `mergeRevision` did. */
export type MergeResult = RepoMergeResult<ColumnConflict>;

/** Options of `mergeRevision` (providers default to those of a snapshot). */
export type MergeOptions = RepoMergeOptions;

/**
 * Merges a branch (or any revision) into the current branch: a fast-forward when the current
 * branch is an ancestor, otherwise a three-way merge from the common ancestor, at sample level
 * for columns and file level for resources. Conflicts refuse the merge and change nothing, unless
 * a strategy resolves them wholesale. The working folders follow the merged commit.
 *
 * @example
 * ```ts
 * const { result, conflicts } = await mergeRevision(repo, 'feature', { strategy: 'theirs' });
 * ```
 */
export async function mergeRevision(
  repo: Repository,
  revision: string,
  options: MergeOptions = {},
): Promise<MergeResult> {
  // The column provider's merge hook reports ColumnConflicts; no other default provider merges.
  return (await mergeWithProviders(repo, revision, {
    providers: DEFAULT_SECTION_PROVIDERS,
    ...options,
  })) as MergeResult;
}
