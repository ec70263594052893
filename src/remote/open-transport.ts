import { PathTransport } from './path/path-transport.js';
import { parseRemoteUrl } from './remote-url.js';
import type { Transport } from './transport.js';

/**
 * Opens the transport for a remote URL (the one place that picks a Transport adapter). With
 * `create`, a push may create a bare repository at a path that does not exist yet.
 */
export async function openTransport(url: string, options: OpenTransportOptions = {}): Promise<Transport> {
  const location = parseRemoteUrl(url);
  if (location.kind === 'path') return PathTransport.open(location.path, options);
  if (location.kind === 's3') {
    const { S3Transport } = await import('./s3/s3-transport.js');
    const endpoint = options.s3Endpoint ?? s3EndpointFromEnv();
    return S3Transport.open(url, {
      bucket: location.bucket,
      prefix: location.prefix,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(options.create === undefined ? {} : { create: options.create }),
    });
  }
  const { HttpTransport } = await import('./http/http-transport.js');
  return HttpTransport.open(location.url, options.token === undefined ? {} : { token: options.token });
}

/** Options of `openTransport`. */
export interface OpenTransportOptions {
  /** A push may create the remote: a bare repository at a new path, a marker in an empty S3 prefix. */
  readonly create?: boolean;
  /** The S3-compatible endpoint of an `s3://` remote (default `STRATA_S3_ENDPOINT`, then AWS S3). */
  readonly s3Endpoint?: string;
  /** The bearer token of an `http(s)://` remote (default `STRATA_TOKEN`, then `strata login`'s file). */
  readonly token?: string;
}

/** `STRATA_S3_ENDPOINT`, then the AWS SDK's own `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL`. */
export function s3EndpointFromEnv(): string | undefined {
  const env = process.env;
  return env.STRATA_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}
