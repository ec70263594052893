import { StrataError } from './strata-error.js';

/**
 * Two independent lineage steps would write overlapping outputs (the same resource path, or one
 * inside the other). `data.step`/`data.output` and `data.other`/`data.otherOutput` name both sides.
 */
export class LineageConflictError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_LINEAGE_CONFLICT', message, data, true);
  }
}
