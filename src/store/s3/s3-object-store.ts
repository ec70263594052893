import { open, rename, unlink } from 'node:fs/promises';
import { CorruptObjectError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { tempPathFor } from '../../util/durable-fs.js';
import { createHasher, isObjectId } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { LeftoverReport, ObjectStore, ObjectWriter, PackIndex, PackLocation } from '../object-store.js';
import { assertObjectId, checkHash, hashMismatch } from '../object-checks.js';
import { replaceFile } from '../replace-file.js';
import { DEFAULT_LARGE_OBJECT_THRESHOLD } from '../fs/fs-object-store.js';
import { copyThenHash } from '../fs/stream-copy.js';
import { forEachBounded } from './bounded.js';
import { MIN_PART_BYTES } from './multipart.js';
import { extractRecord, planRangeReads } from './pack-ranges.js';
import type { PackedRead } from './pack-ranges.js';
import type { ReadCache } from './read-cache.js';
import type { S3Requests, S3RequestCounts } from './s3-gateway.js';
import { LOOSE_PACK, S3Layout } from './s3-layout.js';
import { S3ObjectWriter } from './s3-object-writer.js';
import { recoverS3Store } from './s3-recover.js';
import type { S3RecoveryReport } from './s3-recover.js';

/** Options of `S3ObjectStore`. */
export interface S3ObjectStoreOptions {
  /** The bucket, reached through the SDK (see `createS3ObjectStore`). */
  readonly gateway: S3Requests;
  /** Key prefix inside the bucket (e.g. `team/repo`); default none. */
  readonly prefix?: string;
  /** Maps object ids to packs and big objects (the catalog in production, `MemoryPackIndex` in tests). */
  readonly index: PackIndex;
  /** Objects of at least this many bytes are stored alone (multipart, streamed). Default 4 MiB. */
  readonly largeObjectThreshold?: number;
  /** Bytes per multipart part (at least 5 MiB, S3's minimum). Default 8 MiB. */
  readonly partBytes?: number;
  /** A pack that reaches this many bytes is stored and the writer starts another (default 1,000 parts). */
  readonly maxPackBytes?: number;
  /** A local read-through cache; none by default. */
  readonly cache?: ReadCache;
}

/** The default `partBytes`: 8 MiB, so an upload holds one 8 MiB buffer per big object. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

/** Ranged GETs of one pack merge across gaps up to this size... */
const COALESCE = { maxGap: 256 * 1024, maxSpan: 8 * 1024 * 1024 };

/** ...and this many GETs run at once. */
const READ_CONCURRENCY = 6;
/** Ids per index lookup of `prefetch`. */
const PREFETCH_BATCH = 1_000;

/**
 * The S3 `ObjectStore` (AWS S3 or any S3-compatible server). Small objects are packed, one pack
 * per commit, so a commit of thousands of small files costs one PUT; they are read back with
 * ranged GETs, merged per pack for `getMany`. Big objects are stored alone under their id and go
 * up as streamed multipart uploads. The `PackIndex` (shared through the catalog) records both, and
 * it is written only after S3 confirmed the bytes: it is the one authority on what is stored, so
 * `has`, `hasMany`, `size` and `list` send no S3 request.
 *
 * Every read re-hashes, from S3 and from the local cache alike; corrupt bytes in S3 give
 * `HashMismatchError`, a pack or object missing under an index row `CorruptObjectError`, and S3
 * itself failing `StoreAccessError` (`E_STORE_UNREACHABLE`, `E_STORE_AUTH`, `E_STORE_NOT_FOUND`).
 *
 * @example
 * const store = await createS3ObjectStore({ bucket: 'data', prefix: 'repo1', packIndex, cacheDir: '.strata/cache' });
 * const writer = store.createWriter();
 * const { id } = await writer.addFile('data/train.bin');
 * await writer.commit();
 * await store.readToFile(id, 'restore/train.bin');
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3';
  readonly layout: S3Layout;
  readonly largeObjectThreshold: number;
  readonly partBytes: number;
  readonly maxPackBytes: number;
  private readonly gateway: S3Requests;
  private readonly index: PackIndex;
  private readonly cache: ReadCache | undefined;

  constructor(options: S3ObjectStoreOptions) {
    const threshold = options.largeObjectThreshold ?? DEFAULT_LARGE_OBJECT_THRESHOLD;
    if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > 0xffff_ffff) {
      throw new InvalidArgumentError('largeObjectThreshold must be an integer in 1..4294967295', {
        what: 'largeObjectThreshold',
        found: threshold,
      });
    }
    const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    if (!Number.isSafeInteger(partBytes) || partBytes < MIN_PART_BYTES) {
      throw new InvalidArgumentError(`partBytes must be an integer of at least ${MIN_PART_BYTES} (5 MiB)`, {
        what: 'partBytes',
        found: partBytes,
      });
    }
    const maxPackBytes = options.maxPackBytes ?? partBytes * 1000;
    if (!Number.isSafeInteger(maxPackBytes) || maxPackBytes < partBytes || maxPackBytes > partBytes * 9000) {
      throw new InvalidArgumentError('maxPackBytes must be an integer from partBytes to 9,000 parts', {
        what: 'maxPackBytes',
        found: maxPackBytes,
      });
    }
    this.largeObjectThreshold = threshold;
    this.partBytes = partBytes;
    this.maxPackBytes = maxPackBytes;
    this.gateway = options.gateway;
    this.index = options.index;
    this.cache = options.cache;
    this.layout = new S3Layout(options.prefix);
  }

  /** S3 requests sent so far by this store, by kind (GET, PUT, LIST …, retries included). */
  requestCounts(): S3RequestCounts {
    return this.gateway.requestCounts();
  }

  async has(id: ObjectId): Promise<boolean> {
    return (await this.hasMany([id])).has(id);
  }

  /** One index lookup; no S3 request. */
  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    const valid = ids.filter((id) => typeof id === 'string' && isObjectId(id));
    return new Set((await this.index.lookup(valid)).keys());
  }

  async get(id: ObjectId): Promise<Buffer> {
    return (await this.getMany([id])).get(id)!;
  }

  /**
   * Fetches the small (packed) objects among `ids` that the cache lacks into the cache: one index
   * lookup per thousand ids and one ranged GET per run of neighbours in a pack, up to half the
   * cache's size, so the one-by-one reads of a checkout that follow are cache hits. Big objects
   * are left to `readToFile`, which streams them.
   */
  async prefetch(ids: readonly ObjectId[]): Promise<void> {
    const cache = this.cache;
    if (!cache) return;
    const wanted = [...new Set(ids)].filter((id) => isObjectId(id) && cache.pathIfPresent(id) === undefined);
    let budget = Math.floor(cache.maxBytes / 2);
    for (let i = 0; i < wanted.length && budget > 0; i += PREFETCH_BATCH) {
      const located = await this.index.lookup(wanted.slice(i, i + PREFETCH_BATCH));
      const packed: PackedRead[] = [];
      for (const [id, location] of located) {
        if (location.pack === LOOSE_PACK || location.length > budget) continue;
        budget -= location.length;
        packed.push({ id, location });
      }
      await this.readPacked(packed, () => undefined);
    }
  }

  /** One ranged GET per run of neighbours, a few at a time; each object is cached and handed to `found`. */
  private async readPacked(packed: readonly PackedRead[], found: (id: ObjectId, data: Buffer) => void) {
    const ranges = planRangeReads([...packed], COALESCE);
    await forEachBounded(ranges, READ_CONCURRENCY, async (range) => {
      const bytes = await this.gateway.getRange(this.packKey(range.reads[0]!), range.start, range.end - 1);
      if (bytes === undefined) throw missingPack(range.reads[0]!);
      for (const read of range.reads) {
        // Copied out of the range buffer, so one kept object does not pin megabytes.
        const data = Buffer.from(extractRecord(read, bytes, range.start));
        this.cache?.write(read.id, data);
        found(read.id, data);
      }
    });
  }

  /**
   * Cache hits first (each re-hashed), then one index lookup for the rest, then one ranged GET
   * per run of nearby records in a pack and one GET per big object, a few at a time.
   */
  async getMany(ids: readonly ObjectId[]): Promise<Map<ObjectId, Buffer>> {
    for (const id of ids) assertObjectId(id);
    const found = new Map<ObjectId, Buffer>();
    const misses: ObjectId[] = [];
    for (const id of new Set(ids)) {
      const hit = this.cache?.read(id);
      if (hit) found.set(id, hit);
      else misses.push(id);
    }
    if (misses.length > 0) {
      const located = await this.index.lookup(misses);
      const packed: PackedRead[] = [];
      const loose: ObjectId[] = [];
      for (const id of misses) {
        const location = located.get(id);
        if (!location) throw notFound(id);
        if (location.pack === LOOSE_PACK) loose.push(id);
        else packed.push({ id, location });
      }
      await this.readPacked(packed, (id, data) => found.set(id, data));
      await forEachBounded(loose, READ_CONCURRENCY, async (id) => {
        const key = this.layout.looseKey(id);
        const data = await this.gateway.get(key);
        if (data === undefined) throw missingBig(id, key);
        checkHash(id, data, key);
        this.cache?.write(id, data);
        found.set(id, data);
      });
    }
    const out = new Map<ObjectId, Buffer>();
    for (const id of ids) out.set(id, found.get(id)!);
    return out;
  }

  /** From the index; no S3 request. */
  async size(id: ObjectId): Promise<number> {
    return (await this.locate(id)).length;
  }

  /**
   * Packed objects are read whole (they are small). Big ones stream into a temp file beside `path`
   * while being hashed, from the cache when it has them (else from S3, then copied into the
   * cache); the temp file replaces `path` only when the hash matched.
   */
  async readToFile(id: ObjectId, path: string, options: { mode?: number } = {}): Promise<void> {
    assertObjectId(id);
    const temp = tempPathFor(path);
    try {
      // A cached copy (re-hashed as it is copied) needs no index lookup and no request.
      if (await this.copyFromCache(id, temp, options.mode)) {
        await rename(temp, path);
        return;
      }
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    const location = await this.locate(id);
    if (location.pack !== LOOSE_PACK) {
      await replaceFile(path, await this.get(id), options.mode);
      return;
    }
    try {
      await this.download(id, temp, options.mode);
      await this.cache?.copyIn(id, temp, location.length);
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  /** Reads the object from S3 (never from the cache: this checks the stored copy) and hashes it. */
  async verify(id: ObjectId): Promise<void> {
    const location = await this.locate(id);
    if (location.pack !== LOOSE_PACK) {
      const read = { id, location };
      const [range] = planRangeReads([read], COALESCE);
      const bytes = await this.gateway.getRange(this.packKey(read), range!.start, range!.end - 1);
      if (bytes === undefined) throw missingPack(read);
      extractRecord(read, bytes, range!.start);
      return;
    }
    const key = this.layout.looseKey(id);
    const hasher = createHasher();
    if (!(await this.gateway.stream(key, (chunk) => hasher.update(chunk)))) throw missingBig(id, key);
    const actual = hasher.digest();
    if (actual !== id) throw hashMismatch(id, actual, key);
  }

  createWriter(): ObjectWriter {
    return new S3ObjectWriter({
      gateway: this.gateway,
      layout: this.layout,
      index: this.index,
      largeObjectThreshold: this.largeObjectThreshold,
      partBytes: this.partBytes,
      maxPackBytes: this.maxPackBytes,
    });
  }

  /** The index's entries; no S3 request. */
  async *list(): AsyncIterable<ObjectId> {
    for await (const entry of this.index.entries()) yield entry.id;
  }

  /**
   * Removes index rows first (so nothing points at deleted bytes), then the big objects' keys and
   * every pack left with no indexed object (found by walking the index once: suits garbage
   * collection's one big batch). Packs that keep live objects keep the dead bytes too.
   */
  async deleteMany(ids: readonly ObjectId[]): Promise<void> {
    const valid = ids.filter((id) => typeof id === 'string' && isObjectId(id));
    const located = await this.index.lookup(valid);
    if (located.size === 0) return;
    await this.index.remove([...located.keys()]);
    for (const id of located.keys()) this.cache?.drop(id);
    const keys: string[] = [];
    const touched = new Set<string>();
    for (const [id, location] of located) {
      if (location.pack === LOOSE_PACK) keys.push(this.layout.looseKey(id));
      else touched.add(location.pack);
    }
    if (touched.size > 0) {
      for await (const entry of this.index.entries()) touched.delete(entry.pack);
      for (const pack of touched) {
        try {
          keys.push(this.layout.packKey(pack));
        } catch {
          // A bad pack name in the index names no key of ours.
        }
      }
    }
    await this.gateway.deleteKeys(keys);
  }

  /**
   * Indexes (after verifying them) or deletes the packs and big objects a failed or killed commit
   * left in the bucket without index rows; see `recoverS3Store`. Safe beside running writers.
   */
  async recover(): Promise<S3RecoveryReport> {
    return recoverS3Store(this.gateway, this.layout, this.index);
  }

  /**
   * gc's clean-up after killed writers: the bucket has no temp files (an open multipart upload is
   * invisible; a lifecycle rule ends those), so this is `recover()`: unindexed packs are indexed
   * again after verification, or deleted when the index already has all they hold.
   */
  async removeLeftovers(): Promise<LeftoverReport> {
    const r = await this.recover();
    return {
      removedTempFiles: 0,
      removedPacks: r.deletedPacks.length,
      reindexedPacks: r.reindexedPacks.length,
    };
  }

  async close(): Promise<void> {
    this.gateway.close();
  }

  private async locate(id: ObjectId): Promise<PackLocation> {
    assertObjectId(id);
    const location = (await this.index.lookup([id])).get(id);
    if (!location) throw notFound(id);
    return location;
  }

  private packKey(read: PackedRead): string {
    try {
      return this.layout.packKey(read.location.pack);
    } catch {
      throw new CorruptObjectError(
        `object ${read.id}: the index names a bad pack ${JSON.stringify(read.location.pack)}`,
        { id: read.id, where: read.location.pack },
      );
    }
  }

  /** Copies the cached object into a new file `target` and checks its hash; false on a miss. */
  private async copyFromCache(id: ObjectId, target: string, mode: number | undefined): Promise<boolean> {
    const source = this.cache?.pathIfPresent(id);
    if (source === undefined) return false;
    try {
      const copied = await copyThenHash(source, target, mode === undefined ? {} : { mode });
      if (copied.id === id) return true;
    } catch {
      // Evicted meanwhile: a miss.
    }
    await unlink(target).catch(() => {});
    this.cache!.drop(id);
    return false;
  }

  /** Streams the big object `id` from S3 into a new file `target`, hashing on the way. */
  private async download(id: ObjectId, target: string, mode: number | undefined): Promise<void> {
    const key = this.layout.looseKey(id);
    const handle = await open(target, 'wx', mode ?? 0o666);
    const hasher = createHasher();
    try {
      const found = await this.gateway.stream(key, async (chunk) => {
        hasher.update(chunk);
        for (let done = 0; done < chunk.byteLength;) {
          done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
        }
      });
      if (!found) throw missingBig(id, key);
    } finally {
      await handle.close();
    }
    const actual = hasher.digest();
    if (actual !== id) throw hashMismatch(id, actual, key);
  }
}

function notFound(id: ObjectId): NotFoundError {
  return new NotFoundError(`object ${id} not found`, { what: 'object', id });
}

function missingPack({ id, location }: PackedRead): CorruptObjectError {
  return new CorruptObjectError(`object ${id}: pack ${location.pack} is missing from the bucket`, {
    id,
    where: location.pack,
  });
}

function missingBig(id: ObjectId, key: string): CorruptObjectError {
  return new CorruptObjectError(`object ${id} is indexed but missing from the bucket (${key})`, {
    id,
    where: key,
  });
}
