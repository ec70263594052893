import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { forEachBounded } from '../../staging/bounded.js';
import type { ExportCounts, ExportOptions, Exporter } from '../exporter.js';
import type { StagedSource } from '../staged-source.js';

/** Options of the S3 exporter (config: `name: s3`). */
export interface S3ExporterOptions {
  readonly bucket: string;
  readonly region?: string;
  /** An S3-compatible endpoint (MinIO, s3rver, …); path-style addressing is used with it. */
  readonly endpoint?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** Key prefix inside the bucket (default none). */
  readonly prefix?: string;
  /** Files at or above this size go up in parts of this size (default 16 MiB, S3's minimum is 5). */
  readonly partBytes?: number;
  readonly concurrency?: number;
  /** Give up on a connection that does not open within this time (ms). */
  readonly connectTimeoutMs?: number;
}

const MIB = 1024 * 1024;

/**
 * Exports to an S3 bucket: content as `content/<path>`, metadata as
 * `metadata/<type>/<name>.json` (JSON objects). Small files go up with one PutObject, big ones
 * with a multipart upload read part by part (bounded memory). The SDK's own retries are turned
 * off: the export's retry policy is the one that counts. A missing bucket is created.
 */
export async function createS3Exporter(options: S3ExporterOptions): Promise<Exporter> {
  // Loaded here, not at the top: the CLI bundle keeps the SDK out of every other command.
  const {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateBucketCommand,
    CreateMultipartUploadCommand,
    HeadBucketCommand,
    PutObjectCommand,
    S3Client,
    UploadPartCommand,
  } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.accessKey && options.secretKey
      ? { credentials: { accessKeyId: options.accessKey, secretAccessKey: options.secretKey } }
      : {}),
    maxAttempts: 1,
    // Plain bodies, not aws-chunked with a trailing checksum: every S3-compatible server (MinIO,
    // s3rver, Ceph) understands them, and ContentLength is known anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 5_000, requestTimeout: 120_000 },
  });
  const bucket = options.bucket;
  const prefix = options.prefix ? options.prefix.replace(/\/+$/, '') + '/' : '';
  const partBytes = Math.max(5 * MIB, options.partBytes ?? 16 * MIB);

  async function ensureBucket(): Promise<void> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 404) throw err;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    }
  }

  async function putMultipart(key: string, abs: string, size: number, contentType: string): Promise<void> {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
    );
    const parts: { ETag: string; PartNumber: number }[] = [];
    const handle = await open(abs, 'r');
    try {
      for (let offset = 0, n = 1; offset < size; offset += partBytes, n++) {
        const length = Math.min(partBytes, size - offset);
        const body = Buffer.allocUnsafe(length);
        await handle.read(body, 0, length, offset);
        const { ETag } = await client.send(
          new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: body }),
        );
        parts.push({ ETag: ETag!, PartNumber: n });
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
        .catch(() => undefined);
      throw err;
    } finally {
      await handle.close();
    }
  }

  async function put(key: string, abs: string, contentType: string): Promise<number> {
    const size = statSync(abs).size;
    if (size >= partBytes) await putMultipart(key, abs, size, contentType);
    else {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(abs),
          ContentLength: size,
          ContentType: contentType,
        }),
      );
    }
    return size;
  }

  return {
    name: 's3',
    async export(source: StagedSource, { metadataTypes, onProgress }: ExportOptions): Promise<ExportCounts> {
      await ensureBucket();
      const content = source.contentFiles().map((f) => ({
        key: `${prefix}content/${f.path}`,
        abs: f.abs,
        type: 'application/octet-stream',
        isContent: true,
      }));
      const metadata = metadataTypes.flatMap((type) =>
        source.metadataFiles(type).map((f) => ({
          key: `${prefix}metadata/${type}/${f.name}`,
          abs: f.abs,
          type: 'application/json',
          isContent: false,
        })),
      );
      const all = [...content, ...metadata];
      let bytes = 0;
      let done = 0;
      await forEachBounded(all, options.concurrency ?? 8, async (item) => {
        const size = await put(item.key, item.abs, item.type);
        if (item.isContent) bytes += size;
        onProgress?.(++done, all.length);
      });
      return { files: content.length, bytes, metadata: metadata.length };
    },
    async close() {
      client.destroy();
    },
  };
}
