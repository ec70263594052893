import { StrataError } from './strata-error.js';

/** A strict restore met resources it cannot bring back (not in the snapshot, read-only, not stored). */
export class CannotRestoreError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_CANNOT_RESTORE', message, data, true);
  }
}
