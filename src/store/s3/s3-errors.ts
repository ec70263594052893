import { StoreAccessError } from '../../errors/index.js';
import type { StoreAccessReason } from '../../errors/index.js';

/** Where a request went, as messages name it: the endpoint without user info, and the bucket. */
export interface S3Target {
  readonly endpoint: string;
  readonly bucket: string;
}

/** Error names S3 (and compatible servers) give rejected or missing credentials. */
const AUTH_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'AuthorizationHeaderMalformed',
]);

/** Network failures Node reports without any HTTP answer (and sometimes without SDK metadata). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Error names that say nothing (a network error's is `Error`, its `code` says ECONNREFUSED). */
const GENERIC_NAMES = new Set(['Error', 'Unknown', 'UnknownError', 'Forbidden', 'NotFound']);

/** `endpoint` with any `user:password@` removed, so it can go into a message. */
export function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return endpoint.replace(/\/\/[^/@]*@/, '//');
  }
}

/**
 * Turns an SDK failure into a `StoreAccessError` with a one-line message naming the endpoint and
 * the bucket: no HTTP answer (after the SDK's retries) or a 5xx is `unreachable`, 401/403 or a
 * credentials error `auth`, a missing bucket `bucket-missing`, anything else `refused`. The SDK's
 * own text is kept only as `data.cause`, and it never holds the secret key. Returns undefined for
 * an error that did not come from the request at all (a bug stays a bug, not a store problem).
 */
export function describeS3Error(
  err: unknown,
  target: S3Target,
  operation: string,
): StoreAccessError | undefined {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const fromRequest =
    e.$metadata !== undefined ||
    (e.code !== undefined && NETWORK_CODES.has(e.code)) ||
    e.name === 'TimeoutError' ||
    e.name === 'CredentialsProviderError';
  if (!fromRequest) return undefined;
  // Answers without a body (HEAD) carry no S3 error code: the SDK names them Unknown/Forbidden/…
  const name =
    e.name && !GENERIC_NAMES.has(e.name) ? e.name : (e.code ?? (status ? `HTTP ${status}` : 'Error'));
  const where = `S3 store ${target.endpoint}, bucket ${target.bucket}`;
  const attempts = e.$metadata?.attempts;
  const data = { ...target, operation, status, cause: name, attempts };
  let reason: StoreAccessReason;
  let what: string;
  if (name === 'NoSuchBucket' || (operation === 'HeadBucket' && status === 404)) {
    reason = 'bucket-missing';
    what = 'the bucket does not exist';
  } else if (AUTH_ERRORS.has(name) || status === 401 || status === 403) {
    reason = 'auth';
    what =
      name === 'CredentialsProviderError'
        ? 'no credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile)'
        : `the credentials were refused (${status && !name.startsWith('HTTP') ? `HTTP ${status} ${name}` : name})`;
  } else if (status === undefined || status >= 500 || status === 429) {
    reason = 'unreachable';
    const tries = attempts ? ` after ${attempts} attempts` : '';
    what =
      status === undefined
        ? `cannot reach the endpoint (${name}${tries})`
        : `the endpoint keeps failing (HTTP ${status} ${name}${tries})`;
  } else {
    reason = 'refused';
    what = `${operation} was refused (HTTP ${status}${name.startsWith('HTTP') ? '' : ` ${name}`})`;
  }
  return new StoreAccessError(reason, `${where}: ${what}`, data);
}
