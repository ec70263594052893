import { branchLockName } from '../catalog/catalog.js';
import { UncommittedChangesError } from '../errors/index.js';
import { withLocks } from '../repo/commit/locks.js';
import type { SectionProvider } from '../repo/commit/section-provider.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readHead } from '../repo/refs/refs.js';
import {
  applyStage,
  clearColumnStage,
  columnsSection,
  COLUMNS_SECTION,
  readColumns,
  readColumnsSection,
  readColumnStage,
  writeColumnStage,
} from './column-record.js';
import { rebaseColumnStage } from './column-stage-rebase.js';
import { mergeColumnRecords } from './column-merge.js';

/**
 * Lets `strata commit` (the snapshot verb) commit staged column changes along with the working
 * folders: the staged records replace the committed ones, and the staging is cleared once the
 * commit is visible. For `strata merge` it refuses a merge that would leave staged changes behind
 * and merges the columns of both sides at sample level.
 */
export const columnsSectionProvider: SectionProvider = {
  section: COLUMNS_SECTION,
  async prepare({ repo }) {
    const { branch } = await readHead(repo);
    if (!branch) return undefined;
    if (!(await readColumnStage(repo, branch))) return undefined;
    // Under the branch lock, like any writer: a staging made before another command moved the
    // branch is carried onto the head and saved so (or cleared when the head holds it all already,
    // as after a commit killed right after its ref update), or refused as a clear conflict.
    return withLocks(repo, [branchLockName(branch)], async () => {
      const head = await readHead(repo);
      const stage = await readColumnStage(repo, branch);
      if (!stage || head.branch !== branch) return undefined;
      const committed = readColumns(await readCommitTree(repo, head.commit), `commit ${head.commit}`);
      const rebased = await rebaseColumnStage(repo, stage, head.commit, committed);
      if (rebased !== stage) {
        if (rebased) await writeColumnStage(repo, rebased);
        else await clearColumnStage(repo, branch);
      }
      return rebased ? columnsSection(applyStage(committed, rebased)) : undefined;
    });
  },
  async committed({ repo }) {
    const head = await readHead(repo);
    if (head.branch) await clearColumnStage(repo, head.branch);
  },
  async beforeMerge({ repo, branch, head }) {
    const stage = await readColumnStage(repo, branch);
    if (!stage) return;
    // A leftover staging the head already holds (a commit killed after its ref update) is cleared;
    // anything really staged refuses the merge, which would otherwise leave it behind.
    const pending = await rebaseColumnStage(
      repo,
      stage,
      head,
      readColumns(await readCommitTree(repo, head), `commit ${head}`),
    );
    if (!pending) {
      await clearColumnStage(repo, branch);
      return;
    }
    throw new UncommittedChangesError(
      `branch '${branch}' has staged column changes; commit them or 'strata column reset' before merging`,
      { branch },
    );
  },
  async merge({ repo, base, ours, theirs, strategy, writer }) {
    const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 14 });
    const columns = await mergeColumnRecords(
      nodes,
      writer,
      readColumnsSection(base.value, `commit ${base.commit}`),
      readColumnsSection(ours.value, `commit ${ours.commit}`),
      readColumnsSection(theirs.value, `commit ${theirs.commit}`),
      strategy,
    );
    const value = Object.keys(columns.records).length > 0 ? columnsSection(columns.records) : null;
    return { value, conflicts: columns.conflicts };
  },
};
