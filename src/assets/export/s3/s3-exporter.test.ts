import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { openStagedSource } from '../staged-source.js';
import { runExporterConformance } from '../exporter-conformance.js';
import { closedPort, S3RVER_CREDENTIALS, startS3rver } from '../../../store/s3/test-support/s3rver.js';
import { createS3Exporter } from './s3-exporter.js';

const ACCESS = S3RVER_CREDENTIALS.accessKeyId;
const SECRET: string = S3RVER_CREDENTIALS.secretAccessKey;

/** A real S3-protocol server on a random port, storing in a temp folder. */
const startS3 = () => startS3rver();

function client(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
  });
}

async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  try {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (r.Contents ?? []).map((o) => o.Key!);
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchBucket') return [];
    throw err;
  }
}

runExporterConformance('s3', async () => {
  const server = await startS3();
  const s3 = client(server.endpoint);
  const bucket = 'strata-export';
  const make = (endpoint: string, secretKey = SECRET) =>
    createS3Exporter({ bucket, endpoint, accessKey: ACCESS, secretKey, connectTimeoutMs: 1000 });
  return {
    exporter: () => make(server.endpoint),
    downExporter: async () => {
      const secret = 'very-secret-key-0123456789';
      return { exporter: await make(`http://127.0.0.1:${await closedPort()}`, secret), secret };
    },
    target: {
      content: (path) => getObject(s3, bucket, `content/${path}`),
      records: async (type) => {
        const out: Record<string, unknown>[] = [];
        for (const key of await listKeys(s3, bucket, `metadata/${type}/`)) {
          const value = JSON.parse((await getObject(s3, bucket, key))!.toString('utf8')) as unknown;
          out.push(...((Array.isArray(value) ? value : [value]) as Record<string, unknown>[]));
        }
        return out;
      },
    },
    cleanup: async () => {
      s3.destroy();
      await server.stop();
    },
  };
});

it('s3: a file at or above the part size goes up as a multipart upload, byte for byte', async () => {
  const server = await startS3();
  const s3 = client(server.endpoint);
  const dir = mkdtempSync(join(tmpdir(), 'strata-s3-multipart-'));
  try {
    const data = Buffer.alloc(11 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'staging/content/a'), { recursive: true });
    writeFileSync(join(dir, 'staging/content/a/big.bin'), data);
    const exporter = await createS3Exporter({
      bucket: 'big-bucket',
      endpoint: server.endpoint,
      accessKey: ACCESS,
      secretKey: SECRET,
      partBytes: 5 * 1024 * 1024,
    });
    const counts = await exporter.export(openStagedSource(join(dir, 'staging')), { metadataTypes: [] });
    await exporter.close();
    assert.equal(counts.bytes, data.length);
    assert.deepEqual(await getObject(s3, 'big-bucket', 'content/a/big.bin'), data);
  } finally {
    s3.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
