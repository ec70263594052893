import { StrataError } from './strata-error.js';

/** Something with that name exists already (a tag, a branch, a resource, a repository). */
export class AlreadyExistsError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_ALREADY_EXISTS', message, data, true);
  }
}
