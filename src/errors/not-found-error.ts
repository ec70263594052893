import { StrataError } from './strata-error.js';

/** A named thing (ref, resource, object, path) does not exist. `data.what` says which kind. */
export class NotFoundError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_NOT_FOUND', message, data, true);
  }
}
