import { StrataError } from './strata-error.js';

/**
 * A push would move a remote ref to a commit that does not contain the one it points at (commits
 * there would be lost): pull first, or push with `--force`.
 */
export class NonFastForwardError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_NON_FAST_FORWARD', message, data, true);
  }
}
