import { StrataError } from './strata-error.js';

/** The remote refused an update on its own terms (e.g. the branch is checked out in its working folder). */
export class RemoteRefusedError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_REMOTE_REFUSED', message, data, true);
  }
}
