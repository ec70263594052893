import { StrataError } from './strata-error.js';

/**
 * The job queue's engine cannot be reached (e.g. Redis is down or refuses the connection).
 * `data.url` is the queue's location with any password redacted.
 */
export class QueueUnavailableError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_QUEUE_UNAVAILABLE', message, data, true);
  }
}
