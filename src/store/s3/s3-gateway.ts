import type { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { StoreAccessError } from '../../errors/index.js';
import { s3Sdk } from './s3-sdk.js';
import { describeS3Error, redactEndpoint } from './s3-errors.js';
import type { S3Target } from './s3-errors.js';
import { S3RequestCounter, type S3RequestCounts } from './s3-request-counter.js';

export type { S3RequestCounts } from './s3-request-counter.js';

/** How to reach the bucket; credentials default to the SDK's chain (`AWS_*` variables, profiles). */
export interface S3GatewayOptions {
  readonly bucket: string;
  readonly endpoint?: string;
  readonly region?: string;
  readonly forcePathStyle?: boolean;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Attempts per request, first one included; retryable failures back off exponentially. */
  readonly maxAttempts?: number;
  /** Give up on a connection that does not open within this time (ms). */
  readonly connectTimeoutMs?: number;
}

/** The default `maxAttempts`: the SDK's standard strategy, 100 ms base delay, doubling, jittered. */
export const DEFAULT_MAX_ATTEMPTS = 4;

/** One part of a multipart upload, as `CompleteMultipartUpload` wants it. */
export interface UploadedPart {
  readonly PartNumber: number;
  readonly ETag: string;
}

/**
 * What the store asks of S3: the gateway's public surface, met by `S3Gateway` itself and by
 * `LazyS3Gateway`, which loads the SDK only when a request is first made.
 */
export type S3Requests = Pick<
  S3Gateway,
  | 'target'
  | 'requestCounts'
  | 'checkBucket'
  | 'put'
  | 'getRange'
  | 'get'
  | 'stream'
  | 'listKeys'
  | 'createMultipart'
  | 'uploadPart'
  | 'completeMultipart'
  | 'abortMultipart'
  | 'deleteKeys'
  | 'close'
  | 'describe'
>;

/**
 * The only code that talks to `@aws-sdk/client-s3`: the handful of requests the S3 object store
 * needs, each counted and each failure turned into a `StoreAccessError` naming the endpoint and the
 * bucket (never a secret). Keys are full keys (the store adds its prefix).
 *
 * Bodies are always buffers of known length and checksums are computed only when an operation
 * requires one: S3-compatible servers (s3rver, older MinIO and Ceph) mishandle aws-chunked bodies.
 */
export class S3Gateway {
  readonly target: S3Target;
  private readonly client: S3Client;
  private readonly maxAttempts: number;
  private readonly counter = new S3RequestCounter();

  constructor(options: S3GatewayOptions) {
    this.target = {
      endpoint: options.endpoint ? redactEndpoint(options.endpoint) : 'AWS S3',
      bucket: options.bucket,
    };
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const config: S3ClientConfig = {
      region: options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
      maxAttempts: this.maxAttempts,
      retryMode: 'standard',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // Every read is verified against its content hash; S3's own checksums would only add work.
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 5_000, requestTimeout: 120_000 },
    };
    if (options.endpoint) config.endpoint = options.endpoint;
    if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle;
    if (options.credentials) config.credentials = { ...options.credentials };
    // The SDK warns on stderr about Node versions it will drop in future releases; that would
    // break the CLI's one-line output, and upgrading Node is the user's call, not this command's.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    this.client = new (s3Sdk().S3Client)(config);
    this.counter.attach(this.client);
  }

  /** A copy of the request counters. */
  requestCounts(): S3RequestCounts {
    return this.counter.snapshot();
  }

  /** Checks that the endpoint answers, the credentials are accepted and the bucket exists. */
  async checkBucket(): Promise<void> {
    await this.send('HeadBucket', () =>
      this.client.send(new (s3Sdk().HeadBucketCommand)({ Bucket: this.target.bucket })),
    );
  }

  /** Stores `body` at `key` with one PUT. */
  async put(key: string, body: Buffer): Promise<void> {
    await this.send('PutObject', () => this.client.send(this.#putCommand(key, body, {})));
  }

  /** One PUT of `body` at `key`, with the conditions of `putIf` when given. */
  #putCommand(
    key: string,
    body: Buffer,
    condition: { readonly ifMatch?: string; readonly ifNoneMatch?: '*' },
  ) {
    return new (s3Sdk().PutObjectCommand)({
      Bucket: this.target.bucket,
      Key: key,
      Body: body,
      ContentLength: body.byteLength,
      ...(condition.ifMatch === undefined ? {} : { IfMatch: condition.ifMatch }),
      ...(condition.ifNoneMatch === undefined ? {} : { IfNoneMatch: condition.ifNoneMatch }),
    });
  }

  /**
   * Stores `body` at `key` only if the key holds the version `condition` names: `ifMatch` an ETag,
   * `ifNoneMatch: '*'` no object at all. Returns false when S3 refuses the condition (412, or 409
   * for a concurrent conditional write). Servers that ignore the headers (s3rver) always store.
   */
  async putIf(
    key: string,
    body: Buffer,
    condition: { readonly ifMatch?: string; readonly ifNoneMatch?: '*' },
  ): Promise<boolean> {
    try {
      await this.send('PutObject', () => this.client.send(this.#putCommand(key, body, condition)));
      return true;
    } catch (err) {
      const status = (err as { data?: { status?: unknown } }).data?.status;
      if (status === 412 || status === 409) return false;
      throw err;
    }
  }

  /** The object at `key` with its ETag (for a later `putIf`), or undefined when there is none. */
  async getTagged(key: string): Promise<{ body: Buffer; etag: string } | undefined> {
    return this.send('GetObject', async () => {
      let response;
      try {
        response = await this.client.send(
          new (s3Sdk().GetObjectCommand)({ Bucket: this.target.bucket, Key: key }),
        );
      } catch (err) {
        if (isMissingKey(err)) return undefined;
        throw err;
      }
      return { body: Buffer.from(await response.Body!.transformToByteArray()), etag: response.ETag ?? '' };
    });
  }

  /**
   * Bytes `start..end` (inclusive) of `key`; shorter when the object ends first, empty when it
   * ends before `start`, undefined when there is no such key.
   */
  async getRange(key: string, start: number, end: number): Promise<Buffer | undefined> {
    return this.readWhole(key, `bytes=${start}-${end}`);
  }

  /** The whole object at `key`, or undefined when there is no such key. */
  async get(key: string): Promise<Buffer | undefined> {
    return this.readWhole(key, undefined);
  }

  /**
   * One GET read whole. The SDK retries a request that fails before its answer starts; a
   * connection lost while the body arrives is retried here, with the same exponential backoff
   * (100 ms doubling, jittered) and the same number of attempts.
   */
  private async readWhole(key: string, range: string | undefined): Promise<Buffer | undefined> {
    return this.send('GetObject', async () => {
      for (let attempt = 1; ; attempt++) {
        let response;
        try {
          response = await this.client.send(
            new (s3Sdk().GetObjectCommand)({
              Bucket: this.target.bucket,
              Key: key,
              ...(range ? { Range: range } : {}),
            }),
          );
        } catch (err) {
          if (isMissingKey(err)) return undefined;
          if (range && httpStatus(err) === 416) return Buffer.alloc(0);
          throw err;
        }
        try {
          return Buffer.from(await response.Body!.transformToByteArray());
        } catch (err) {
          if (attempt >= this.maxAttempts) throw err;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** (attempt - 1)));
        }
      }
    });
  }

  /**
   * Streams the object at `key` into `sink` chunk by chunk (bounded memory), or returns false
   * when there is no such key. A connection lost mid-body is an `E_STORE_UNREACHABLE`.
   */
  async stream(key: string, sink: (chunk: Buffer) => Promise<void> | void): Promise<boolean> {
    return this.send('GetObject', async () => {
      let body: Readable;
      try {
        const response = await this.client.send(
          new (s3Sdk().GetObjectCommand)({ Bucket: this.target.bucket, Key: key }),
        );
        body = response.Body as Readable;
      } catch (err) {
        if (isMissingKey(err)) return false;
        throw err;
      }
      try {
        for await (const chunk of body) {
          try {
            await sink(chunk as Buffer);
          } catch (err) {
            throw new SinkError(err);
          }
        }
      } finally {
        body.destroy();
      }
      return true;
    });
  }

  /** Every key under `prefix`, page by page (1,000 keys per LIST request). */
  async *listKeys(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.send('ListObjectsV2', () =>
        this.client.send(
          new (s3Sdk().ListObjectsV2Command)({
            Bucket: this.target.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
        ),
      );
      for (const item of page.Contents ?? []) if (item.Key !== undefined) yield item.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Starts a multipart upload to `key`; nothing is visible there before `completeMultipart`. */
  async createMultipart(key: string): Promise<string> {
    const response = await this.send('CreateMultipartUpload', () =>
      this.client.send(new (s3Sdk().CreateMultipartUploadCommand)({ Bucket: this.target.bucket, Key: key })),
    );
    return response.UploadId!;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<UploadedPart> {
    const response = await this.send('UploadPart', () =>
      this.client.send(
        new (s3Sdk().UploadPartCommand)({
          Bucket: this.target.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      ),
    );
    return { PartNumber: partNumber, ETag: response.ETag! };
  }

  /** Makes the object at `key` the concatenation of `parts` (in part-number order). */
  async completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const sorted = [...parts].sort((a, b) => a.PartNumber - b.PartNumber);
    await this.send('CompleteMultipartUpload', () =>
      this.client.send(
        new (s3Sdk().CompleteMultipartUploadCommand)({
          Bucket: this.target.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: sorted },
        }),
      ),
    );
  }

  /** Drops an unfinished multipart upload. Never throws: it is cleanup after another failure. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client
      .send(
        new (s3Sdk().AbortMultipartUploadCommand)({
          Bucket: this.target.bucket,
          Key: key,
          UploadId: uploadId,
        }),
      )
      .catch(() => undefined);
  }

  /** Deletes keys, up to 1,000 per request; keys that do not exist are fine. */
  async deleteKeys(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const response = await this.send('DeleteObjects', () =>
        this.client.send(
          new (s3Sdk().DeleteObjectsCommand)({
            Bucket: this.target.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = (response.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        throw new StoreAccessError(
          'refused',
          `${this.describe()}: could not delete ${failed.length} keys (${failed[0]!.Code ?? 'error'}: ${failed[0]!.Key ?? '?'})`,
          { ...this.target, operation: 'DeleteObjects', failed: failed.length },
        );
      }
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  /** `S3 store http://host:port, bucket NAME` for messages. */
  describe(): string {
    return `S3 store ${this.target.endpoint}, bucket ${this.target.bucket}`;
  }

  private async send<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof SinkError) throw err.cause;
      throw describeS3Error(err, this.target, operation) ?? err;
    }
  }
}

/** Wraps a failure of the caller's sink (a full disk), so it is not mistaken for a store error. */
class SinkError extends Error {
  constructor(override readonly cause: unknown) {
    super('sink failed');
  }
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isMissingKey(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'NoSuchKey' || (httpStatus(err) === 404 && name !== 'NoSuchBucket');
}
