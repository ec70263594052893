import { closeSync, existsSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { fsyncDir } from '../../util/durable-fs.js';
import { hashBytes } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectWriter, PackIndex, PackLocation } from '../object-store.js';
import type { FsLayout } from './fs-layout.js';
import { newPackName } from './fs-layout.js';
import { PackAppender } from './pack-appender.js';
import type { PackRecordInput } from './pack-appender.js';
import { MAX_RECORD_LENGTH, RECORD_HEADER_SIZE } from './pack-format.js';
import { copyWithHash } from './stream-copy.js';
import { IdSet } from './id-set.js';
import { withErrorPath } from '../../util/error-path.js';
import { assertWriterOpen, WriterCalls, type WriterState } from '../writer-calls.js';

/** What a writer needs from its store. */
export interface FsWriterContext {
  readonly layout: FsLayout;
  readonly index: PackIndex;
  readonly largeObjectThreshold: number;
  /** Objects given to `add` go to the pack whatever their size (see `WriterOptions`). */
  readonly packLargeObjects?: boolean;
}

/**
 * Small objects wait in memory until about this many bytes are queued; then one index lookup
 * drops those already stored and one write appends the rest to the pack.
 */
const BATCH_BYTES = 1024 * 1024;

/**
 * The `ObjectWriter` of `FsObjectStore`. Small objects go to one new pack per writer, big ones
 * (at least `largeObjectThreshold` bytes) to one temp file each; all of it lives in tmp/ until
 * `commit()`, which fsyncs, renames into packs/ and loose/, fsyncs the folders and only then
 * indexes the pack. A crash before the end leaves temp files and at worst an unindexed pack,
 * never an index row pointing at missing bytes (see `FsObjectStore.recover`).
 */
export class FsObjectWriter implements ObjectWriter {
  private state: WriterState = 'open';
  /** Ids already handled by this writer, so the same bytes are written once (binary: see `IdSet`). */
  private readonly seen = new IdSet();
  private queued: (PackRecordInput & { position: number })[] = [];
  private queuedBytes = 0;
  private pack: PackAppender | undefined;
  private readonly packName = newPackName();
  /**
   * What the pack holds, as columns (id by its position in `seen`): the entries are made one at
   * a time while the index is written, never all at once.
   */
  private readonly packed = { ids: [] as number[], offsets: [] as number[], lengths: [] as number[] };
  private readonly looseTemps = new Map<ObjectId, string>();
  private readonly calls = new WriterCalls();
  /** Where small file contents are read into (see `Arena`). */
  private readonly arena = new Arena();
  /** Where added buffers are copied to until their batch is written (see `CopyBlocks`). */
  private readonly copies = new CopyBlocks();
  /** A failed batch write: objects whose add() already resolved are lost, so commit must fail. */
  private broken: unknown;

  constructor(private readonly context: FsWriterContext) {}

  async add(data: Uint8Array): Promise<ObjectId> {
    assertWriterOpen(this.state, 'add');
    return this.calls.track(async () => {
      const id = hashBytes(data);
      const packed =
        data.byteLength < this.context.largeObjectThreshold ||
        (this.context.packLargeObjects === true && data.byteLength <= MAX_RECORD_LENGTH);
      if (!packed) await this.addLooseBytes(id, data);
      // Copied, as the caller may reuse its buffer once add() returns; unless it is at least a
      // batch by itself: then the batch holding it is written before this call returns.
      else await this.queue(id, data, { copy: RECORD_HEADER_SIZE + data.byteLength < BATCH_BYTES });
      return id;
    });
  }

  /** Queued as is: the caller hashed `data` to `id` and hands it over (see `ObjectWriter`). */
  async addVerified(id: ObjectId, data: Uint8Array): Promise<void> {
    assertWriterOpen(this.state, 'addVerified');
    return this.calls.track(async () => {
      if (data.byteLength >= this.context.largeObjectThreshold) await this.addLooseBytes(id, data);
      else await this.queue(id, data, { copy: false });
    });
  }

  async addFile(path: string): Promise<{ id: ObjectId; size: number }> {
    assertWriterOpen(this.state, 'addFile');
    return this.calls.track(async () => {
      // Small files are read synchronously: one open/fstat/read/close here costs a few
      // microseconds, while four hops through the libuv thread pool per file made a commit of
      // 10,000 small files spend most of its time waiting.
      const data = readSmallFileSync(path, this.context.largeObjectThreshold, this.arena);
      if (data !== undefined) {
        const id = hashBytes(data);
        if (data.byteLength >= this.context.largeObjectThreshold) await this.addLooseBytes(id, data);
        else await this.queue(id, data, { copy: false });
        return { id, size: data.byteLength };
      }
      const temp = this.context.layout.tempPath('object');
      const copied = await copyWithHash(path, temp);
      await this.keepLooseTemp(copied.id, temp);
      return copied;
    });
  }

  async commit(): Promise<void> {
    assertWriterOpen(this.state, 'commit');
    this.state = 'committing';
    try {
      await this.calls.settle();
      if (this.broken !== undefined) throw this.broken;
      await this.flush();
      await this.publishLoose();
      await this.publishPack();
      this.state = 'committed';
    } catch (err) {
      this.state = 'failed';
      await this.pack?.settle();
      this.cleanup();
      throw err;
    }
  }

  async abort(): Promise<void> {
    // After a failed commit abort() is the caller's cleanup path, so it is allowed and a no-op.
    if (this.state === 'failed') return;
    assertWriterOpen(this.state, 'abort');
    this.state = 'aborted';
    await this.calls.settle();
    await this.pack?.settle();
    this.cleanup();
  }

  private async queue(id: ObjectId, data: Uint8Array, options: { copy: boolean }): Promise<void> {
    const position = this.seen.add(id);
    if (position < 0) return;
    this.queued.push({ id, position, data: options.copy ? this.copies.copy(data) : data });
    this.queuedBytes += RECORD_HEADER_SIZE + data.byteLength;
    if (this.queuedBytes >= BATCH_BYTES) await this.flush();
  }

  /** Appends the queued objects the index does not know yet: one lookup, one write. */
  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    const blocks = this.copies.detach();
    this.queued = [];
    this.queuedBytes = 0;
    try {
      const known = await this.context.index.lookup(batch.map((record) => record.id));
      const fresh = batch.filter((record) => !known.has(record.id));
      if (fresh.length === 0) return;
      this.pack ??= new PackAppender(this.context.layout.tempPath('pack'));
      const offsets = this.pack.append(fresh);
      // Small records are copied into the pack's buffer: their copies may serve again (finally
      // below). Big ones are written from their own buffer, which `ready` waits for. Memory stays
      // bounded: at most a few batch writes are in flight.
      await this.pack.ready();
      fresh.forEach((record, i) => {
        this.packed.ids.push(record.position);
        this.packed.offsets.push(offsets[i]!);
        this.packed.lengths.push(record.data.byteLength);
      });
    } catch (err) {
      this.broken ??= err;
      throw err;
    } finally {
      // Written (or failed): the batch's copies are no longer needed, their blocks serve again.
      this.copies.release(blocks);
    }
  }

  private async addLooseBytes(id: ObjectId, data: Uint8Array): Promise<void> {
    if (this.seen.has(id) || existsSync(this.context.layout.loosePath(id))) return;
    const temp = this.context.layout.tempPath('object');
    await writeFile(temp, data, { flag: 'wx' }).catch((err: unknown) => {
      throw withErrorPath(err, temp);
    });
    await this.keepLooseTemp(id, temp);
  }

  /** Keeps `temp` as the content of `id` unless this writer or the store already has `id`. */
  private async keepLooseTemp(id: ObjectId, temp: string): Promise<void> {
    if (this.seen.has(id) || existsSync(this.context.layout.loosePath(id))) {
      await unlink(temp);
      return;
    }
    this.seen.add(id);
    this.looseTemps.set(id, temp);
  }

  private async publishLoose(): Promise<void> {
    const { layout } = this.context;
    const dirs = new Set<string>();
    for (const [id, temp] of this.looseTemps) {
      const target = layout.loosePath(id);
      if (existsSync(target)) {
        // Another writer committed the same bytes meanwhile.
        await unlink(temp);
      } else {
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        // A new fan-out folder is itself an entry of loose/ that must survive a power cut.
        if (await mkdir(layout.looseDir(id), { recursive: true })) dirs.add(layout.loose);
        await rename(temp, target);
        dirs.add(layout.looseDir(id));
      }
      this.looseTemps.delete(id);
    }
    for (const dir of dirs) fsyncDir(dir);
  }

  private async publishPack(): Promise<void> {
    const pack = this.pack;
    if (!pack) return;
    await pack.finish();
    await rename(pack.path, this.context.layout.packPath(this.packName));
    this.pack = undefined;
    fsyncDir(this.context.layout.packs);
    // Last: an index row must never point at bytes that are not durable yet.
    await this.context.index.add(this.packedEntries());
  }

  /** The pack's index entries, made one at a time each time they are iterated. */
  private packedEntries(): Iterable<PackLocation & { id: ObjectId }> {
    const { seen, packName: pack } = this;
    const { ids, offsets, lengths } = this.packed;
    return {
      *[Symbol.iterator]() {
        for (let i = 0; i < ids.length; i++) {
          yield { id: seen.idAt(ids[i]!), pack, offset: offsets[i]!, length: lengths[i]! };
        }
      },
    };
  }

  /** Deletes whatever this writer left in tmp/. Never throws. */
  private cleanup(): void {
    this.pack?.discard();
    this.pack = undefined;
    for (const temp of this.looseTemps.values()) {
      try {
        unlinkSync(temp);
      } catch {
        // Already gone.
      }
    }
    this.looseTemps.clear();
    this.queued = [];
  }
}

/**
 * The whole content of `path` if it is smaller than `limit` bytes, else undefined (stream it).
 * Reads until end of file, so a file that grew since fstat is still read whole.
 */
function readSmallFileSync(path: string, limit: number, arena: Arena): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size >= limit) return undefined;
    const chunks: Buffer[] = [];
    // One byte more than fstat said, so the end of file shows in the same read.
    let buffer = arena.take(size + 1);
    let filled = 0;
    for (;;) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
      if (filled === buffer.length) {
        chunks.push(buffer);
        buffer = Buffer.allocUnsafe(64 * 1024);
        filled = 0;
      }
    }
    chunks.push(buffer.subarray(0, filled));
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of one arena block: small files are carved out of it instead of one allocation each. */
const ARENA_BLOCK = 1024 * 1024;

/**
 * Hands out slices of large blocks for small file contents. A block is never reused, only
 * abandoned when full (the queued records keep it alive until written), so concurrent adds cannot
 * overwrite each other. 10,000 separate 4 KiB buffers cost more in allocation and garbage
 * collection than reading the files did.
 */
class Arena {
  private block = Buffer.alloc(0);
  private used = 0;

  take(size: number): Buffer {
    if (size > ARENA_BLOCK / 4) return Buffer.allocUnsafe(size);
    if (this.used + size > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(ARENA_BLOCK);
      this.used = 0;
    }
    const slice = this.block.subarray(this.used, this.used + size);
    this.used += size;
    return slice;
  }
}

/**
 * Holds copies of added buffers (a big file's chunks) until their batch is written. A batch's
 * blocks are handed back once it is written and serve the next batches, so storing a big file
 * reuses a few blocks instead of allocating a buffer per chunk: gigabytes of short-lived copies
 * made garbage faster than the collector freed it, and the process grew by tens of MB.
 */
class CopyBlocks {
  private readonly free: Buffer[] = [];
  private current: Buffer | undefined;
  private used = 0;
  private inBatch: Buffer[] = [];

  /** A copy of `data`, valid until the blocks holding it are released. */
  copy(data: Uint8Array): Buffer {
    if (data.byteLength > ARENA_BLOCK / 4) return Buffer.from(data);
    if (this.current === undefined || this.used + data.byteLength > this.current.length) {
      this.current = this.free.pop() ?? Buffer.allocUnsafeSlow(ARENA_BLOCK);
      this.used = 0;
      this.inBatch.push(this.current);
    }
    const slice = this.current.subarray(this.used, this.used + data.byteLength);
    slice.set(data);
    this.used += data.byteLength;
    return slice;
  }

  /** The blocks the queued copies live in; the next copy starts a new block. */
  detach(): Buffer[] {
    const blocks = this.inBatch;
    this.inBatch = [];
    this.current = undefined;
    return blocks;
  }

  /** Blocks whose copies are written: kept for reuse (a few at most). */
  release(blocks: readonly Buffer[]): void {
    for (const block of blocks) if (this.free.length < 4) this.free.push(block);
  }
}
