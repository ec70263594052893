import { StrataError } from './strata-error.js';

/**
 * The job has already ended (completed, failed, cancelled): it cannot be cancelled or joined.
 * `data.id` and `data.state` name the job and how it ended.
 */
export class JobEndedError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_JOB_ENDED', message, data, true);
  }
}
