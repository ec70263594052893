import { StrataError } from './strata-error.js';

/**
 * The branch moved after column changes were staged on it, and the staged changes cannot be carried
 * onto the new head: the same sample or column changed on both sides, a schema changed, or the
 * commit they were staged on cannot be read. `data.branch`, `data.staged` (that commit),
 * `data.head` and `data.conflicts` say which; `strata column reset` drops the staged changes.
 */
export class StagedColumnsConflictError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_STAGED_COLUMNS_CONFLICT', message, data, true);
  }
}
