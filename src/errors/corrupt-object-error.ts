import { StrataError } from './strata-error.js';

/** An object could be read but not decoded (wrong format, truncated). */
export class CorruptObjectError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_CORRUPT_OBJECT', message, data, false);
  }
}
