import { StrataError } from './strata-error.js';

/**
 * A checkout, restore or merge was interrupted (its journal is still there): the working folders
 * may be half-written, so a commit (or another rewrite) is refused until it is finished or undone.
 */
export class InterruptedOperationError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_INTERRUPTED_OPERATION', message, data, true);
  }
}
