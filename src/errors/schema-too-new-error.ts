import { StrataError } from './strata-error.js';

/**
 * A database (catalog, compute store, asset store) was migrated by a newer Strata than this one:
 * reading it with an older schema in mind could misread or damage it, so it is refused. The fix is
 * to upgrade Strata (exit 1: the environment, not a bug).
 */
export class SchemaTooNewError extends StrataError {
  constructor(data: { file: string; schema: string; version: number; supported: number }) {
    super(
      'E_SCHEMA_TOO_NEW',
      `${data.file}: ${data.schema} schema version ${data.version} is newer than this Strata understands ` +
        `(${data.supported}); upgrade Strata`,
      data,
      true,
    );
  }
}
