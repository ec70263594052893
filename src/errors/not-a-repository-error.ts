import { StrataError } from './strata-error.js';

/** No `.strata/` folder was found in the directory or any parent. */
export class NotARepositoryError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_NOT_A_REPOSITORY', message, data, true);
  }
}
