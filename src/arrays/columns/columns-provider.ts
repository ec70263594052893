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
    const head = await readHead(repo);
    if (!head.branch) return undefined;
    const stage = readColumnStage(repo, head.branch);
    if (!stage) return undefined;
    const committed = readColumns(await readCommitTree(repo, head.commit), `commit ${head.commit}`);
    // Staged before another command moved the branch: carried onto the head, or a clear conflict.
    const rebased = await rebaseColumnStage(repo, stage, head.commit, committed);
    return rebased ? columnsSection(applyStage(committed, rebased)) : undefined;
  },
  async committed({ repo }) {
    const head = await readHead(repo);
    if (head.branch) clearColumnStage(repo, head.branch);
  },
};
