import { StrataError } from './strata-error.js';

/**
 * A computed resource is in error (its function threw, or returned something that is not JSON).
 * `data` names the collection, id and args hash, and carries the remembered `error`.
 */
export class ComputeFailedError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_COMPUTE_FAILED', message, data, true);
  }
}
