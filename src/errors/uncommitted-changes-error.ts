import { StrataError } from './strata-error.js';

/** A checkout or restore would overwrite changes that are not committed. */
export class UncommittedChangesError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_UNCOMMITTED_CHANGES', message, data, true);
  }
}
