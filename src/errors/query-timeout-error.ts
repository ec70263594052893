import { StrataError } from './strata-error.js';

/**
 * A query ran past its time limit and was stopped. `data.seconds` is the limit; `data.option` and
 * `data.configKey` say how to raise it.
 */
export class QueryTimeoutError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_QUERY_TIMEOUT', message, data, true);
  }
}
