import { StrataError } from './strata-error.js';

/** Why a remote object store could not be used; each reason has its own stable code. */
export type StoreAccessReason = 'unreachable' | 'auth' | 'bucket-missing' | 'refused';

const CODES: Record<StoreAccessReason, string> = {
  unreachable: 'E_STORE_UNREACHABLE',
  auth: 'E_STORE_AUTH',
  'bucket-missing': 'E_STORE_NOT_FOUND',
  refused: 'E_STORE_REFUSED',
};

/**
 * A remote object store (S3 or compatible) could not be used: the endpoint does not answer
 * (`E_STORE_UNREACHABLE`, after the retries), the credentials are missing or rejected
 * (`E_STORE_AUTH`), the bucket does not exist (`E_STORE_NOT_FOUND`), or the store refused a
 * request for another reason (`E_STORE_REFUSED`). `data` names the endpoint (without any user
 * info) and the bucket, never a secret. The environment is at fault, so the CLI exits 1.
 */
export class StoreAccessError extends StrataError {
  readonly reason: StoreAccessReason;

  constructor(reason: StoreAccessReason, message: string, data: Record<string, unknown> = {}) {
    super(CODES[reason], message, { reason, ...data }, true);
    this.reason = reason;
  }
}
