import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectId } from '../../../util/hash.js';
import type { PackIndex } from '../../object-store.js';
import { MemoryPackIndex } from '../../fs/memory-pack-index.js';
import { createS3ObjectStore } from '../create-s3-object-store.js';
import type { CreateS3ObjectStoreOptions } from '../create-s3-object-store.js';
import type { S3ObjectStore } from '../s3-object-store.js';
import { LOOSE_PACK } from '../s3-layout.js';
import { S3RVER_CREDENTIALS, startS3rver } from './s3rver.js';
import type { TestS3Server } from './s3rver.js';

/** The bucket the test server starts with. */
export const TEST_BUCKET = 'strata-test';

/** The threshold the S3 tests use, so multi-MiB test files take the multipart path. */
export const TEST_THRESHOLD = 64 * 1024;

/** A store under test with what tests need around it. */
export interface TestS3Store {
  readonly store: S3ObjectStore;
  readonly index: PackIndex;
  readonly prefix: string;
  readonly cacheDir: string | undefined;
  cleanup(): Promise<void>;
}

/**
 * One s3rver for a test file, and stores on it: each store gets its own random prefix and index,
 * so tests never see each other's objects. `raw` is a plain SDK client, for tests that reach
 * behind the store's back (overwrite or delete objects).
 */
export class S3TestBed {
  private constructor(
    readonly server: TestS3Server,
    readonly raw: S3Client,
  ) {}

  static async start(): Promise<S3TestBed> {
    const server = await startS3rver({ buckets: [TEST_BUCKET] });
    // As the store's gateway does: no stderr warning about Node versions in test output.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
    const raw = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { ...S3RVER_CREDENTIALS },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3TestBed(server, raw);
  }

  /** The options that reach this server, for tests that build their own store. */
  options(overrides: Partial<CreateS3ObjectStoreOptions> = {}): CreateS3ObjectStoreOptions {
    return {
      bucket: TEST_BUCKET,
      endpoint: this.server.endpoint,
      credentials: { ...S3RVER_CREDENTIALS },
      packIndex: new MemoryPackIndex(),
      largeObjectThreshold: TEST_THRESHOLD,
      partBytes: 5 * 1024 * 1024,
      maxAttempts: 2,
      ...overrides,
    };
  }

  /** A fresh, empty store with a read cache (unless `cache: false`). */
  async createStore(
    options: { cache?: boolean; index?: PackIndex; cacheMaxBytes?: number } = {},
  ): Promise<TestS3Store> {
    const prefix = `t-${randomBytes(6).toString('hex')}`;
    const index = options.index ?? new MemoryPackIndex();
    const cacheDir = options.cache === false ? undefined : await mkdtemp(join(tmpdir(), 'strata-s3-cache-'));
    const store = await createS3ObjectStore(
      this.options({
        prefix,
        packIndex: index,
        ...(cacheDir === undefined ? {} : { cacheDir }),
        ...(options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes }),
      }),
    );
    return {
      store,
      index,
      prefix,
      cacheDir,
      cleanup: async () => {
        await store.close();
        if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
      },
    };
  }

  /** The stored bytes of `key` (full key, prefix included). */
  async read(key: string): Promise<Buffer> {
    const response = await this.raw.send(new GetObjectCommand({ Bucket: TEST_BUCKET, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }

  /** Overwrites `key` with `data` behind the store's back. */
  async write(key: string, data: Buffer): Promise<void> {
    await this.raw.send(
      new PutObjectCommand({ Bucket: TEST_BUCKET, Key: key, Body: data, ContentLength: data.byteLength }),
    );
  }

  /** Deletes `key` behind the store's back. */
  async remove(key: string): Promise<void> {
    await this.raw.send(new DeleteObjectCommand({ Bucket: TEST_BUCKET, Key: key }));
  }

  /** Every key under `prefix` (sorted). */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.raw.send(
        new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) keys.push(item.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /**
   * Flips one byte (`at` bytes into the object's data) of the stored copy of `id` in the bucket,
   * and in the local cache when it holds one, so every read path sees other bytes.
   */
  async corrupt(t: TestS3Store, id: ObjectId, at = 0): Promise<void> {
    const location = (await t.index.lookup([id])).get(id);
    if (!location) throw new Error(`not stored: ${id}`);
    const loose = location.pack === LOOSE_PACK;
    const key = loose ? t.store.layout.looseKey(id) : t.store.layout.packKey(location.pack);
    const bytes = await this.read(key);
    const position = (loose ? 0 : location.offset) + at;
    bytes[position] = bytes[position]! ^ 0xff;
    await this.write(key, bytes);
    if (t.cacheDir !== undefined) await flipCachedByte(join(t.cacheDir, id.slice(0, 2), id.slice(2)), at);
  }

  async stop(): Promise<void> {
    this.raw.destroy();
    await this.server.stop();
  }
}

async function flipCachedByte(path: string, at: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch {
    return; // not cached
  }
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
}
