import { StrataError } from './strata-error.js';

/** A path given as a lineage input, output or code ref lies outside every resource. `data.path`. */
export class OutsideResourcesError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_OUTSIDE_RESOURCES', message, data, true);
  }
}
