import { InvalidArgumentError, LockError } from '../errors/index.js';
import {
  commit,
  type CommitOptions,
  type CommitResult,
  type SectionValue,
} from '../repo/commit/create-commit.js';
import type { SectionContext, SectionProvider } from '../repo/commit/section-provider.js';
import { checkNewRefName } from '../repo/refs/branches.js';
import type { Repository } from '../repo/repository.js';
import { refuseWhileInterrupted } from '../repo/worktree/worktree-journal.js';
import { metricsProvider } from '../workspace/metrics/metrics-provider.js';
import { recoverResultsMove } from '../workspace/results/move-plan.js';
import { moveResults } from '../workspace/results/take-results.js';
import {
  restoreSnapshot as restoreSnapshotFiles,
  type RestoreSnapshotOptions,
  type RestoreSnapshotResult,
} from '../workspace/restore-snapshot.js';
import { columnsSectionProvider } from '../columns/columns-provider.js';
import { lineageSectionProvider, restoreLineage } from '../lineage/lineage-section.js';
import { readCurrentLineage } from '../lineage/lineage-state.js';

/**
 * The section providers every snapshot runs unless told otherwise. Capabilities add theirs here
 * (one line each): the order is the order of `prepare` calls.
 */
export const DEFAULT_SECTION_PROVIDERS: readonly SectionProvider[] = [
  metricsProvider,
  lineageSectionProvider,
  columnsSectionProvider,
];

/** Options of `snapshot`. */
export interface SnapshotOptions {
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
  readonly onSkipped?: CommitOptions['onSkipped'];
}

/** What `snapshot` made. */
export interface SnapshotResult extends CommitResult {
  /** The folder the new result files were moved into (relative to each results resource). */
  readonly resultsFolder: string | null;
  readonly resultsMoved: number;
}

/**
 * Takes a snapshot: finishes any results move a killed snapshot left, gathers the sections of
 * every provider (metrics from the new `results.json` files, lineage, ...), files the new result
 * files away into the snapshot's folder (plan written durably first), commits everything, then
 * tells the providers. A failed commit moves the results back; a crash is repaired by the next
 * snapshot or status.
 *
 * @example
 * ```ts
 * const { id, resultsFolder } = await snapshot(repo, { message: 'svc run', tags: ['SVC-1'] });
 * ```
 */
export async function snapshot(repo: Repository, options: SnapshotOptions): Promise<SnapshotResult> {
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
  let result: CommitResult;
  try {
    result = await commit(repo, {
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

/**
 * Restores a whole snapshot: its resources (see the workspace's `restoreSnapshot`) and, when every
 * resource was restored, its lineage as the current one, so the next step is checked against the
 * data it will actually read.
 */
export async function restoreSnapshot(
  repo: Repository,
  revision: string,
  options: RestoreSnapshotOptions = {},
): Promise<RestoreSnapshotResult> {
  const result = await restoreSnapshotFiles(repo, revision, options);
  if (!options.only?.length && !options.leave?.length) await restoreLineage(repo, revision);
  return result;
}
