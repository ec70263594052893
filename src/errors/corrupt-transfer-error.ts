import { StrataError } from './strata-error.js';

/**
 * An object arrived with bytes that do not hash to its id (altered in transit, or a corrupt
 * remote): it was refused before anything referred to it, and the transfer stopped.
 */
export class CorruptTransferError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_CORRUPT_TRANSFER', message, data, true);
  }
}
