import { InvalidArgumentError, LockError } from '../errors/index.js';
import {
  commit as commitTree,
  type CommitOptions as TreeCommitOptions,
  type CommitResult as TreeCommitResult,
  type SectionValue,
} from '../repo/commit/create-commit.js';
import type { SectionContext, SectionProvider } from '../repo/commit/section-provider.js';
import { checkNewRefName } from '../repo/refs/branches.js';
import type { Repository } from '../repo/repository.js';
import { refreshResources } from '../repo/resources/refresh-resources.js';
import { refuseWhileInterrupted } from '../repo/worktree/worktree-journal.js';
import { metricsProvider } from '../workspace/metrics/metrics-provider.js';
import { recoverResultsMove } from '../workspace/results/move-plan.js';
import { moveResults } from '../workspace/results/take-results.js';
import { columnsSectionProvider } from '../columns/columns-provider.js';
import { volumesSectionProvider } from '../columns/volume-provider.js';
import { lineageSectionProvider } from '../lineage/lineage-section.js';
import { readCurrentLineage } from '../lineage/lineage-state.js';

/**
 * The section providers every snapshot runs unless told otherwise. Capabilities add theirs here
 * (one line each): the order is the order of `prepare` calls.
 */
export const DEFAULT_SECTION_PROVIDERS: readonly SectionProvider[] = [
  metricsProvider,
  lineageSectionProvider,
  columnsSectionProvider,
  volumesSectionProvider,
];

/** Options of `commit` (and of its alias `snapshot`). */
export interface CommitOptions {
  readonly message: string;
  /** Tags for the new snapshot; one already used is refused before anything moves. */
  readonly tags?: readonly string[];
  /** Section providers (default DEFAULT_SECTION_PROVIDERS). */
  readonly providers?: readonly SectionProvider[];
  /** The author's name (default: STRATA_AUTHOR, else the user.name and user.email parameters). */
  readonly author?: string;
  readonly authorEmail?: string;
  readonly allowEmpty?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  /** Told the entries left out because they cannot be versioned, before the commit is made. */
  readonly onSkipped?: TreeCommitOptions['onSkipped'];
}

/** The options of `snapshot`, the other name of `commit`. */
export type SnapshotOptions = CommitOptions;

/** What `commit` (or `snapshot`) made. */
export interface CommitResult extends TreeCommitResult {
  /** The folder the new result files were moved into (relative to each results resource). */
  readonly resultsFolder: string | null;
  readonly resultsMoved: number;
}

/** What `snapshot`, the other name of `commit`, made. */
export type SnapshotResult = CommitResult;

/**
 * Commits (takes a snapshot): finishes any results move a killed snapshot left, gathers the sections of
 * every provider (metrics from the new `results.json` files, lineage, ...), files the new result
 * files away into the snapshot's folder (plan written durably first), commits everything, then
 * tells the providers. A failed commit moves the results back; a crash is repaired by the next
 * snapshot or status. This is the same verb as the CLI's `strata commit`: staged column samples,
 * lineage recorded since HEAD and metrics all go into the new commit.
 *
 * @example
 * ```ts
 * const { id, resultsFolder } = await commit(repo, { message: 'svc run', tags: ['SVC-1'] });
 * ```
 */
export async function commit(repo: Repository, options: CommitOptions): Promise<CommitResult> {
  const tags = options.tags ?? [];
  // Checked before results are filed away, so a refused snapshot moves nothing.
  refuseWhileInterrupted(repo, 'commit');
  if (new Set(tags).size !== tags.length)
    throw new InvalidArgumentError(`a tag is given twice: ${tags.join(', ')}`, { tags });
  for (const tag of tags) await checkNewRefName(repo, tag, 'tag');
  if ((await recoverResultsMove(repo)) === 'running') {
    throw new LockError('another snapshot is filing results away right now; try again when it is done', {
      lock: 'results-move',
    });
  }
  // Local copies of remotes (rclone, S3) first catch up with them: the snapshot records the origin.
  await refreshResources(repo);
  const providers = options.providers ?? DEFAULT_SECTION_PROVIDERS;
  const context: SectionContext = { repo, message: options.message, tags };
  const sections: Record<string, SectionValue | null> = {};
  for (const provider of providers) {
    const value = await provider.prepare(context);
    if (value !== undefined) sections[provider.section] = value;
    else if (provider.perSnapshot) sections[provider.section] = null;
  }
  // The move runs before the commit takes the writer locks: a snapshot killed in the middle leaves
  // no lock behind, so the next snapshot or status can finish or undo the move by itself.
  // lineage.json beside the results holds the current steps themselves, readable without Strata.
  const current = await readCurrentLineage(repo);
  const lineage = sections.lineage || current.steps.length > 0 ? current : undefined;
  const move = await moveResults(repo, { tags, lineage });
  sections.results = move.section;
  let result: TreeCommitResult;
  try {
    result = await commitTree(repo, {
      message: options.message,
      tags,
      author: options.author,
      authorEmail: options.authorEmail,
      allowEmpty: options.allowEmpty,
      sections,
      onProgress: options.onProgress,
      onSkipped: options.onSkipped,
    });
  } catch (err) {
    move.rollback();
    throw err;
  }
  move.finish();
  for (const provider of providers) await provider.committed?.({ ...context, commit: result.id });
  return { ...result, resultsFolder: move.folder, resultsMoved: move.files };
}

/** The same verb as `commit`, under the name the workspace docs use. */
export const snapshot: (repo: Repository, options: SnapshotOptions) => Promise<SnapshotResult> = commit;
