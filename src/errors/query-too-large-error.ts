import { StrataError } from './strata-error.js';

/**
 * A query's result passed its row or byte limit and was stopped. `data.limit` is `rows` or
 * `bytes`, `data.max` the limit; `data.option` and `data.configKey` say how to raise it.
 */
export class QueryTooLargeError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_QUERY_TOO_LARGE', message, data, true);
  }
}
