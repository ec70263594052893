import { branchLockName } from '../../catalog/catalog.js';
import { withLocks } from '../../repo/commit/locks.js';
import type { SectionProvider } from '../../repo/commit/section-provider.js';
import { readCommitTree } from '../../repo/objects/read-objects.js';
import { readHead } from '../../repo/refs/refs.js';
import {
  applyStage,
  clearColumnStage,
  columnsSection,
  COLUMNS_SECTION,
  readColumns,
  readColumnStage,
  writeColumnStage,
} from './column-record.js';
import { rebaseColumnStage } from './column-stage-rebase.js';

/**
 * Lets `strata commit` (the snapshot verb) commit staged column changes along with the working
 * folders: the staged records replace the committed ones, and the staging is cleared once the
 * commit is visible.
 */
export const columnsSectionProvider: SectionProvider = {
  section: COLUMNS_SECTION,
  async prepare({ repo }) {
    const { branch } = await readHead(repo);
    if (!branch) return undefined;
    if (!readColumnStage(repo, branch)) return undefined;
    // Under the branch lock, like any writer: a staging made before another command moved the
    // branch is carried onto the head and saved so (or cleared when the head holds it all already,
    // as after a commit killed right after its ref update), or refused as a clear conflict.
    return withLocks(repo, [branchLockName(branch)], async () => {
      const head = await readHead(repo);
      const stage = readColumnStage(repo, branch);
      if (!stage || head.branch !== branch) return undefined;
      const committed = readColumns(await readCommitTree(repo, head.commit), `commit ${head.commit}`);
      const rebased = await rebaseColumnStage(repo, stage, head.commit, committed);
      if (rebased !== stage) {
        if (rebased) writeColumnStage(repo, rebased);
        else clearColumnStage(repo, branch);
      }
      return rebased ? columnsSection(applyStage(committed, rebased)) : undefined;
    });
  },
  async committed({ repo }) {
    const head = await readHead(repo);
    if (head.branch) clearColumnStage(repo, head.branch);
  },
};
