import { StrataError } from './strata-error.js';

/** Another writer holds the lock. `data.holder` names its pid, host and time. */
export class LockError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_LOCKED', message, data, true);
  }
}
