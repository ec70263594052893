import { StrataError } from './strata-error.js';

/**
 * A lineage step would depend on two versions of the same input, directly or through earlier
 * steps. `data.ref` names the input, `data.first` and `data.second` the two sides (hash and who
 * read or wrote it).
 */
export class InconsistentLineageError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_LINEAGE_INCONSISTENT', message, data, true);
  }
}
