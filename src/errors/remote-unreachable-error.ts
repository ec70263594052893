import { StrataError } from './strata-error.js';

/** A remote could not be reached: a missing path, a refused connection, a bucket that is gone. */
export class RemoteUnreachableError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_REMOTE_UNREACHABLE', message, data, true);
  }
}
