import { StrataError } from './strata-error.js';

/** A configuration file or value is invalid. */
export class ConfigError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_CONFIG', message, data, true);
  }
}
