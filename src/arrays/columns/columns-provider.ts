import type { SectionProvider } from '../../repo/commit/section-provider.js';
import { readCommitTree } from '../../repo/objects/read-objects.js';
import { readHead } from '../../repo/refs/refs.js';
import { ConflictError } from '../../errors/index.js';
import {
  applyStage,
  clearColumnStage,
  columnsSection,
  COLUMNS_SECTION,
  readColumns,
  readColumnStage,
} from './column-record.js';

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
    if (stage.base !== head.commit) {
      throw new ConflictError(
        `branch '${head.branch}' moved after column changes were staged; drop them with 'strata column reset'`,
        { branch: head.branch },
      );
    }
    const committed = readColumns(await readCommitTree(repo, head.commit), `commit ${head.commit}`);
    return columnsSection(applyStage(committed, stage));
  },
  async committed({ repo }) {
    const head = await readHead(repo);
    if (head.branch) clearColumnStage(repo, head.branch);
  },
};
