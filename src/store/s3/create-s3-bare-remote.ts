import type { S3BareRemote } from './s3-bare-remote.js';

/**
 * Opens a bare S3 remote (`s3://bucket/prefix`) and checks with one HEAD request that the endpoint
 * answers, the credentials (the SDK's chain: `AWS_*` variables, profiles; never stored by Strata)
 * are accepted and the bucket exists; `StoreAccessError` otherwise. The AWS SDK loads here.
 */
export async function createS3BareRemote(options: {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}): Promise<S3BareRemote> {
  const [{ S3Gateway }, { S3BareRemote }] = await Promise.all([
    import('./s3-gateway.js'),
    import('./s3-bare-remote.js'),
  ]);
  const gateway = new S3Gateway({
    bucket: options.bucket,
    forcePathStyle: options.endpoint !== undefined,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
  try {
    await gateway.checkBucket();
    return new S3BareRemote(gateway, options.prefix);
  } catch (err) {
    gateway.close();
    throw err;
  }
}
