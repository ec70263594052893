import { StrataError } from './strata-error.js';

/** A concurrent update won: a ref moved under us, or a state changed between read and write. */
export class ConflictError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_CONFLICT', message, data, true);
  }
}
