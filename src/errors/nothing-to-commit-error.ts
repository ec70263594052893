import { StrataError } from './strata-error.js';

/** A commit was asked for but nothing changed since the parent commit. */
export class NothingToCommitError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_NOTHING_TO_COMMIT', message, data, true);
  }
}
