import { createReadStream, statSync, unlinkSync } from 'node:fs';
import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CorruptObjectError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { tempPathFor } from '../../util/durable-fs.js';
import { isObjectId } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type {
  GetManyOptions,
  LeftoverReport,
  ObjectStore,
  ObjectWriter,
  PackIndex,
  PackLocation,
  WriterOptions,
} from '../object-store.js';
import { assertObjectId, checkHash, hashMismatch } from '../object-checks.js';
import { replaceFile } from '../replace-file.js';
import { verifyingStream } from '../verifying-read.js';
import { FsLayout, isProcessAlive, tempFileOwner } from './fs-layout.js';
import { FsObjectWriter } from './fs-object-writer.js';
import { PackHandles } from './pack-handles.js';
import { MAX_RECORD_LENGTH } from './pack-format.js';
import { backToBackRuns, readPackedObject, readPackedRun, type Located } from './pack-reader.js';
import { recoverStore } from './recover-store.js';
import type { RecoveryReport } from './recover-store.js';
import { copyThenHash, hashFile } from './stream-copy.js';

/** Options of `FsObjectStore`. */
export interface FsObjectStoreOptions {
  /** The store's folder; `packs/`, `loose/` and `tmp/` are created inside it. */
  readonly dir: string;
  /** Maps packed object ids to pack locations (the catalog in production, `MemoryPackIndex` in tests). */
  readonly index: PackIndex;
  /**
   * Objects of at least this many bytes are stored as one loose file each and streamed, never held
   * whole; smaller ones go into packs. Default 4 MiB.
   */
  readonly largeObjectThreshold?: number;
}

/** The default `largeObjectThreshold`: 4 MiB. */
export const DEFAULT_LARGE_OBJECT_THRESHOLD = 4 * 1024 * 1024;

/**
 * The filesystem `ObjectStore`: small objects in append-only pack files located through a
 * `PackIndex`, big ones as loose files under `loose/aa/…` (see `FsLayout`). Every read re-hashes;
 * corrupt bytes give `HashMismatchError`, a truncated or inconsistent pack `CorruptObjectError`,
 * and other objects keep reading.
 *
 * @example
 * const store = new FsObjectStore({ dir: '.strata/objects', index: new MemoryPackIndex() });
 * const writer = store.createWriter();
 * const { id } = await writer.addFile('data/train.bin');
 * await writer.commit();
 * await store.readToFile(id, 'restore/train.bin');
 */
export class FsObjectStore implements ObjectStore {
  readonly kind = 'fs';
  readonly layout: FsLayout;
  readonly largeObjectThreshold: number;
  private readonly index: PackIndex;
  private readonly handles = new PackHandles();
  /** Loose objects verified whole by this process, with the file identity they had then (LRU). */
  private readonly verifiedLoose = new Map<ObjectId, string>();

  constructor(options: FsObjectStoreOptions) {
    const threshold = options.largeObjectThreshold ?? DEFAULT_LARGE_OBJECT_THRESHOLD;
    // Pack records carry a 4-byte length, so nothing at or above 4 GiB may be packed.
    if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > MAX_RECORD_LENGTH) {
      throw new InvalidArgumentError(`largeObjectThreshold must be an integer in 1..${MAX_RECORD_LENGTH}`, {
        what: 'largeObjectThreshold',
        found: threshold,
      });
    }
    this.largeObjectThreshold = threshold;
    this.index = options.index;
    this.layout = new FsLayout(options.dir);
    this.layout.create();
  }

  async has(id: ObjectId): Promise<boolean> {
    return (await this.hasMany([id])).has(id);
  }

  /** One index lookup for the batch, then a `stat` per id not packed (big objects are loose). */
  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    const valid = ids.filter((id) => typeof id === 'string' && isObjectId(id));
    const found = this.index.has
      ? await this.index.has(valid)
      : new Set((await this.index.lookup(valid)).keys());
    for (const id of valid) {
      if (!found.has(id) && statSync(this.layout.loosePath(id), { throwIfNoEntry: false })) found.add(id);
    }
    return found;
  }

  async get(id: ObjectId): Promise<Buffer> {
    const location = await this.locate(id);
    if (location) return this.readPacked(id, location);
    const path = this.layout.loosePath(id);
    const data = await readFile(path).catch((err: unknown) => rethrowMissing(err, id));
    checkHash(id, data, path);
    return data;
  }

  async getMany(ids: readonly ObjectId[], options: GetManyOptions = {}): Promise<Map<ObjectId, Buffer>> {
    for (const id of ids) assertObjectId(id);
    const packed = await this.index.lookup(ids);
    const read = new Map<ObjectId, Buffer>();
    const located = [...packed].map(([id, location]) => ({ id, location }));
    for (const run of backToBackRuns(located)) {
      if (run.length < 2) continue;
      for (const [id, data] of await this.readPackedRun(run, options.allocate)) read.set(id, data);
    }
    const out = new Map<ObjectId, Buffer>();
    for (const id of ids) {
      const location = packed.get(id);
      // What a run did not verify is read alone, which names the fault precisely.
      out.set(id, read.get(id) ?? (location ? await this.readPacked(id, location) : await this.get(id)));
    }
    return out;
  }

  async size(id: ObjectId): Promise<number> {
    const location = await this.locate(id);
    if (location) return location.length;
    const stats = await stat(this.layout.loosePath(id)).catch((err: unknown) => rethrowMissing(err, id));
    return stats.size;
  }

  /** One index lookup for the batch, then a `stat` per id not packed (big objects are loose). */
  async sizeMany(ids: readonly ObjectId[]): Promise<Map<ObjectId, number>> {
    for (const id of ids) assertObjectId(id);
    const packed = await this.index.lookup(ids);
    const sizes = new Map<ObjectId, number>();
    for (const id of ids) {
      const location = packed.get(id);
      if (location) sizes.set(id, location.length);
      else {
        const stats = await stat(this.layout.loosePath(id)).catch((err: unknown) => rethrowMissing(err, id));
        sizes.set(id, stats.size);
      }
    }
    return sizes;
  }

  async openReadStream(id: ObjectId, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream> {
    const location = await this.locate(id);
    if (location) {
      // Packed objects are below the threshold: read whole (and verified), then sliced.
      const bytes = await this.readPacked(id, location);
      return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
    }
    const path = this.layout.loosePath(id);
    const stats = await stat(path).catch((err: unknown) => rethrowMissing(err, id));
    // A range of a file verified since it last changed is read as is; any other read hashes the
    // whole file on the way (a range: the bytes outside it are read, hashed and not sent).
    const identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    if (range && this.verifiedLoose.get(id) === identity)
      return createReadStream(path, { ...range, highWaterMark: 1 << 20 });
    return verifyingStream(id, path, createReadStream(path, { highWaterMark: 1 << 20 }), range, () =>
      this.rememberVerified(id, identity),
    );
  }

  private rememberVerified(id: ObjectId, identity: string): void {
    this.verifiedLoose.delete(id);
    this.verifiedLoose.set(id, identity);
    if (this.verifiedLoose.size > 1024) this.verifiedLoose.delete(this.verifiedLoose.keys().next().value!);
  }

  async readToFile(id: ObjectId, path: string, options: { mode?: number } = {}): Promise<void> {
    const location = await this.locate(id);
    if (location) {
      // Packed objects are below the threshold, so holding one whole is fine.
      await replaceFile(path, await this.readPacked(id, location), options.mode);
      return;
    }
    const source = this.layout.loosePath(id);
    // Checked first so that ENOENT from the copy means the destination folder, not the object.
    await stat(source).catch((err: unknown) => rethrowMissing(err, id));
    const temp = tempPathFor(path);
    const copied = await copyThenHash(source, temp, options);
    try {
      if (copied.id !== id) throw hashMismatch(id, copied.id, source);
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
  }

  async verify(id: ObjectId): Promise<void> {
    const location = await this.locate(id);
    if (location) {
      await this.readPacked(id, location);
      return;
    }
    const path = this.layout.loosePath(id);
    const { id: actual } = await hashFile(path).catch((err: unknown) => rethrowMissing(err, id));
    if (actual !== id) throw hashMismatch(id, actual, path);
  }

  createWriter(options: WriterOptions = {}): ObjectWriter {
    return new FsObjectWriter({
      layout: this.layout,
      index: this.index,
      largeObjectThreshold: this.largeObjectThreshold,
      packLargeObjects: options.packLargeObjects ?? false,
    });
  }

  /** Index entries first, then loose files not also packed (one index lookup per fan-out folder). */
  async *list(): AsyncIterable<ObjectId> {
    for await (const entry of this.index.entries()) yield entry.id;
    for (const prefix of await readdir(this.layout.loose)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const names = await readdir(this.layout.looseDir(prefix)).catch(() => [] as string[]);
      const ids = names.map((name) => prefix + name).filter(isObjectId);
      const packed = await this.index.lookup(ids);
      for (const id of ids) if (!packed.has(id)) yield id;
    }
  }

  /**
   * Removes objects: loose files are deleted, packed objects lose their index rows, and a pack file
   * left with no indexed object is deleted. Finding those packs walks the whole index once per
   * call, which suits garbage collection (one big batch). Packs that keep some live objects keep
   * the dead bytes too; nothing rewrites packs yet.
   *
   * Like any garbage collection it must not race a writer that may be adding the same ids: a
   * writer skips ids the index already has, and they would vanish under it.
   */
  async deleteMany(ids: readonly ObjectId[]): Promise<void> {
    const valid = ids.filter((id) => typeof id === 'string' && isObjectId(id));
    const packed = await this.index.lookup(valid);
    if (packed.size > 0) await this.index.remove([...packed.keys()]);
    for (const id of valid) {
      try {
        unlinkSync(this.layout.loosePath(id));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const touched = new Set([...packed.values()].map((location) => location.pack));
    if (touched.size === 0) return;
    for await (const entry of this.index.entries()) touched.delete(entry.pack);
    for (const pack of touched) {
      const path = this.layout.packPath(pack);
      this.handles.drop(path);
      await unlink(path).catch(() => {});
    }
  }

  /**
   * Repairs what a crash can leave: deletes temp files in `tmp/`, and re-indexes pack files that
   * no index row points at (a crash between renaming a pack and indexing it) after verifying each
   * record, or deletes them when the index already has every object they hold. Call it only while
   * no writer of this store is running (e.g. when opening the repository under its lock, or from
   * fsck): it would delete a running writer's temp files.
   */
  async recover(): Promise<RecoveryReport> {
    return recoverStore(this.layout, this.index);
  }

  async removeLeftovers(options: { readonly graceMs: number }): Promise<LeftoverReport> {
    const now = Date.now();
    // A temp file is a live writer's while its process runs (the pid is in its name) and it was
    // written to within the grace period; an old file of a live pid belongs to a reused pid.
    const isAbandoned = async (name: string): Promise<boolean> => {
      const pid = tempFileOwner(name);
      if (pid === undefined || !isProcessAlive(pid)) return true;
      const modified = await stat(join(this.layout.tmp, name)).then(
        (s) => s.mtimeMs,
        () => now,
      );
      return now - modified > options.graceMs;
    };
    const report = await recoverStore(this.layout, this.index, { isAbandoned });
    return {
      removedTempFiles: report.removedTempFiles,
      removedPacks: report.removedPacks.length,
      reindexedPacks: report.reindexedPacks.length,
    };
  }

  async close(): Promise<void> {
    this.handles.closeAll();
  }

  /** The pack location of `id`, or undefined when it is not packed. */
  private async locate(id: ObjectId): Promise<PackLocation | undefined> {
    assertObjectId(id);
    return (await this.index.lookup([id])).get(id);
  }

  /** Verified objects of a run of back-to-back records; any failure leaves them to `readPacked`. */
  private async readPackedRun(
    run: readonly Located[],
    allocate?: (bytes: number) => Buffer,
  ): Promise<Map<ObjectId, Buffer>> {
    try {
      const path = this.layout.packPath(run[0]!.location.pack);
      return await this.handles.with(path, (handle) => readPackedRun(handle, run, allocate));
    } catch {
      return new Map();
    }
  }

  private async readPacked(id: ObjectId, location: PackLocation): Promise<Buffer> {
    let path: string;
    try {
      path = this.layout.packPath(location.pack);
    } catch {
      throw new CorruptObjectError(
        `object ${id}: the index names a bad pack ${JSON.stringify(location.pack)}`,
        {
          id,
          where: location.pack,
        },
      );
    }
    try {
      return await this.handles.with(path, (handle) => readPackedObject(handle, id, location));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new CorruptObjectError(`object ${id}: pack ${location.pack} is missing`, {
        id,
        where: location.pack,
      });
    }
  }
}

function rethrowMissing(err: unknown, id: ObjectId): never {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new NotFoundError(`object ${id} not found`, { what: 'object', id });
  }
  throw err;
}
