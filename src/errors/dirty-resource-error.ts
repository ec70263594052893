import { StrataError } from './strata-error.js';

/** A restore would check out another commit in a git resource that has uncommitted changes. */
export class DirtyResourceError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_DIRTY_RESOURCE', message, data, true);
  }
}
