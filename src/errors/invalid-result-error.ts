import { StrataError } from './strata-error.js';

/**
 * A compute function returned something that is not JSON data (a function, a cycle, a bigint, a
 * class instance...). Recorded as the error of that resource; `data.path` says where in the result.
 */
export class InvalidResultError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_INVALID_RESULT', message, data, true);
  }
}
