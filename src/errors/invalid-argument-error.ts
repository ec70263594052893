import { StrataError } from './strata-error.js';

/** An argument is malformed: a bad ref name, a bad role, a hostile path. */
export class InvalidArgumentError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_INVALID_ARGUMENT', message, data, true);
  }
}
