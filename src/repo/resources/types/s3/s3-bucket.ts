import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from './s3-sdk.js';
import { StoreAccessError, type StoreAccessReason } from '../../../../errors/index.js';
import type { S3Location } from './s3-location.js';

/** One object under the prefix: its key, size and ETag (quotes removed). */
export interface S3Entry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** Where and how to reach a bucket; credentials come from the SDK's chain (`AWS_*` variables). */
export interface S3BucketOptions {
  /** An S3-compatible endpoint (MinIO, s3rver, ...); path-style URLs are used with one. */
  readonly endpoint?: string;
}

const AUTH = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

/** Turns an SDK failure into a StoreAccessError naming the bucket (never a secret). */
function accessError(err: unknown, location: S3Location, endpoint: string): StoreAccessError {
  const e = err as { name?: string; code?: string; message?: string };
  const reason: StoreAccessReason =
    e.name === 'NoSuchBucket'
      ? 'bucket-missing'
      : AUTH.has(e.name ?? '')
        ? 'auth'
        : /^E[A-Z]+$/.test(e.code ?? '') || e.name === 'TimeoutError'
          ? 'unreachable'
          : 'refused';
  return new StoreAccessError(
    reason,
    `S3 resource s3://${location.bucket}/${location.prefix} at ${endpoint}: ${e.name ?? 'error'}: ${e.message ?? ''}`.trim(),
    { bucket: location.bucket, prefix: location.prefix, endpoint },
  );
}

/**
 * The few S3 calls an S3 resource needs: list a prefix, get, put and delete one object. Bodies are
 * sent with a known length and checksums only when required, which every S3-compatible server
 * accepts.
 */
export class S3Bucket {
  private readonly client: S3Client;
  private readonly endpoint: string;

  constructor(
    private readonly location: S3Location,
    options: S3BucketOptions = {},
  ) {
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    this.endpoint = endpoint ?? 'AWS S3';
    // The SDK's multi-line notice about future Node versions would break the CLI's one-line
    // output; it is about upgrades, not about this call.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new (s3Sdk().S3Client)({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw accessError(err, this.location, this.endpoint);
    }
  }

  /** Every object under the prefix. */
  async list(): Promise<S3Entry[]> {
    const entries: S3Entry[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.client.send(
          new (s3Sdk().ListObjectsV2Command)({
            Bucket: this.location.bucket,
            ...(this.location.prefix ? { Prefix: this.location.prefix + '/' } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        entries.push({ key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, '') });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries;
  }

  async get(key: string): Promise<Uint8Array> {
    return this.call(async () => {
      const out = await this.client.send(
        new (s3Sdk().GetObjectCommand)({ Bucket: this.location.bucket, Key: key }),
      );
      return out.Body!.transformToByteArray();
    });
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.call(() =>
      this.client.send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: this.location.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
        }),
      ),
    );
  }

  async delete(key: string): Promise<void> {
    await this.call(() =>
      this.client.send(new (s3Sdk().DeleteObjectCommand)({ Bucket: this.location.bucket, Key: key })),
    );
  }

  close(): void {
    this.client.destroy();
  }
}

/** The ETag S3 gives an object uploaded in one part: the MD5 of its bytes, in hex. */
export function singlePartEtag(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
