import { StrataError } from './strata-error.js';

/** Stored content does not hash to its id: the object is corrupt. */
export class HashMismatchError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_HASH_MISMATCH', message, data, false);
  }
}
