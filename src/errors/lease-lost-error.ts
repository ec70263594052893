import { StrataError } from './strata-error.js';

/**
 * A worker's lease on a job task is no longer its own: it expired and another worker leased the
 * task, or the job was cancelled or ended. The worker stops the task without further effects.
 * `data` names the job and the task key.
 */
export class LeaseLostError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_LEASE_LOST', message, data, true);
  }
}
