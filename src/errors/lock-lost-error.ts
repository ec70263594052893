import { StrataError } from './strata-error.js';

/**
 * A lock this process held is no longer its own: its lease expired and another process took it
 * over (or it was force-released). The writer stops before making anything visible.
 * `data.locks` names the locks.
 */
export class LockLostError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_LOCK_LOST', message, data, true);
  }
}
