import type { S3BareRemote } from '../store/s3/index.js';

export type { S3BareRemote } from '../store/s3/index.js';

/**
 * A bare S3 remote's store and refs, for the remote layer's S3 transport (the S3 adapter is
 * chosen here, in the composition root, like every other adapter).
 */
export async function openS3BareRemote(options: {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}): Promise<S3BareRemote> {
  const { createS3BareRemote } = await import('../store/s3/index.js');
  return createS3BareRemote(options);
}
