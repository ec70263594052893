import type { PackIndex } from '../object-store.js';
import type { S3ObjectStore } from './s3-object-store.js';

/** Options of `createS3ObjectStore`. */
export interface CreateS3ObjectStoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket, e.g. `team/repo` (default none). */
  readonly prefix?: string;
  /** An S3-compatible endpoint (MinIO, Ceph, s3rver …); default AWS S3. */
  readonly endpoint?: string;
  /** Default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  readonly region?: string;
  /**
   * Explicit credentials; by default the SDK's chain finds them in the environment
   * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, `AWS_PROFILE` …).
   */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** The pack index (the catalog's, so every machine shares it). */
  readonly packIndex: PackIndex;
  /** A folder for the local read-through cache (e.g. `.strata/cache`); none when omitted. */
  readonly cacheDir?: string;
  /** The cache's size limit in bytes (default 1 GiB). */
  readonly cacheMaxBytes?: number;
  /** Objects of at least this many bytes are stored alone, by multipart upload (default 4 MiB). */
  readonly largeObjectThreshold?: number;
  /** Multipart part size (default 8 MiB, at least 5 MiB). */
  readonly partBytes?: number;
  /** A pack reaching this size is stored and the writer starts another (default 1,000 parts). */
  readonly maxPackBytes?: number;
  /** Attempts per request including the first; retryable failures back off exponentially (default 4). */
  readonly maxAttempts?: number;
  /** Connection timeout in ms (default 5,000). */
  readonly connectTimeoutMs?: number;
  /**
   * Check the bucket with one HEAD request before returning (default true). With false, the AWS
   * SDK loads only when a request is first made: a command served by the cache never loads it.
   */
  readonly checkBucket?: boolean;
}

/**
 * Opens the S3 object store and checks, with one HEAD request, that the endpoint answers, the
 * credentials are accepted and the bucket exists; otherwise it throws `StoreAccessError`
 * (`E_STORE_UNREACHABLE`, `E_STORE_AUTH`, `E_STORE_NOT_FOUND`) naming the endpoint and the bucket.
 * The AWS SDK is loaded here, on first use, so nothing else pays for loading it; with
 * `checkBucket: false`, only when a request is first made.
 *
 * @example
 * const store = await createS3ObjectStore({
 *   bucket: 'ml-data', prefix: 'repo1', endpoint: 'http://minio:9000',
 *   packIndex: catalog.packIndex, cacheDir: '.strata/cache',
 * });
 */
export async function createS3ObjectStore(options: CreateS3ObjectStoreOptions): Promise<S3ObjectStore> {
  const check = options.checkBucket ?? true;
  const [{ S3ObjectStore }, { ReadCache }, { LazyS3Gateway }] = await Promise.all([
    import('./s3-object-store.js'),
    import('./read-cache.js'),
    import('./lazy-gateway.js'),
  ]);
  const gatewayOptions = {
    bucket: options.bucket,
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  };
  const gateway = check
    ? new (await import('./s3-gateway.js')).S3Gateway(gatewayOptions)
    : new LazyS3Gateway(gatewayOptions);
  try {
    if (check) await gateway.checkBucket();
    return new S3ObjectStore({
      gateway,
      index: options.packIndex,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      ...(options.largeObjectThreshold === undefined
        ? {}
        : { largeObjectThreshold: options.largeObjectThreshold }),
      ...(options.partBytes === undefined ? {} : { partBytes: options.partBytes }),
      ...(options.maxPackBytes === undefined ? {} : { maxPackBytes: options.maxPackBytes }),
      ...(options.cacheDir === undefined
        ? {}
        : {
            cache: new ReadCache({
              dir: options.cacheDir,
              ...(options.cacheMaxBytes === undefined ? {} : { maxBytes: options.cacheMaxBytes }),
            }),
          }),
    });
  } catch (err) {
    gateway.close();
    throw err;
  }
}
