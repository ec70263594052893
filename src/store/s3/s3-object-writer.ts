import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { hashBytes } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { ObjectWriter, PackIndex, PackLocation } from '../object-store.js';
import { hashFile } from '../fs/stream-copy.js';
import { RECORD_HEADER_SIZE } from '../fs/pack-format.js';
import { fileKeptChanging, uploadBytesUncompleted, uploadFileUncompleted } from './big-upload.js';
import { forEachBounded } from './bounded.js';
import { PackUpload } from './multipart.js';
import type { MultipartUpload, PackRecord } from './multipart.js';
import type { S3Requests } from './s3-gateway.js';
import { LOOSE_PACK } from './s3-layout.js';
import type { S3Layout } from './s3-layout.js';
import { assertWriterOpen, WriterCalls, type WriterState } from '../writer-calls.js';

/** What a writer needs from its store. */
export interface S3WriterContext {
  readonly gateway: S3Requests;
  readonly layout: S3Layout;
  readonly index: PackIndex;
  readonly largeObjectThreshold: number;
  readonly partBytes: number;
  /** A pack that reaches this size is stored and a new one started. */
  readonly maxPackBytes: number;
}

/** Small objects wait in memory until about this many bytes are queued, then one index lookup. */
const BATCH_BYTES = 1024 * 1024;

/** How often a big file that changes under us is hashed and uploaded again before giving up. */
const FILE_ATTEMPTS = 3;

type IndexEntry = PackLocation & { id: ObjectId };

/**
 * The `ObjectWriter` of `S3ObjectStore`. Small objects go into one pack per writer, buffered in
 * memory and sent at `commit()` with one PUT (or, past `partBytes`, as parts of a multipart upload
 * sent while adding). Big objects go up during `add`/`addFile` as multipart uploads to their final
 * key, left open. `commit()` completes the big uploads, stores the pack, and only once S3 has
 * confirmed all of it records the index rows: an object is reachable only through the index, so a
 * failure at any point (network, crash) leaves nothing reachable that is not durable, at worst an
 * unreferenced pack or big object (garbage) or an open multipart upload (which a bucket lifecycle
 * rule, `AbortIncompleteMultipartUpload`, removes).
 */
export class S3ObjectWriter implements ObjectWriter {
  private state: WriterState = 'open';
  private readonly seen = new Set<ObjectId>();
  private queued: PackRecord[] = [];
  private queuedBytes = 0;
  private pack: PackUpload | undefined;
  /** Packs already stored in S3 by this writer (rolled over at `maxPackBytes`), not yet indexed. */
  private readonly finishedPacks: string[] = [];
  private readonly packed: IndexEntry[] = [];
  private readonly big = new Map<ObjectId, { upload: MultipartUpload; size: number }>();
  private readonly calls = new WriterCalls();
  private broken: unknown;
  /** Big ids another add found claimed by an upload still running (see `claim`). */
  private readonly reliedOn = new Set<ObjectId>();

  constructor(private readonly context: S3WriterContext) {}

  async add(data: Uint8Array): Promise<ObjectId> {
    assertWriterOpen(this.state, 'add');
    return this.calls.track(async () => {
      const id = hashBytes(data);
      if (data.byteLength >= this.context.largeObjectThreshold) await this.addBigBytes(id, data);
      // Copied: the caller may reuse its buffer once add() returns.
      else await this.queue(id, Buffer.from(data));
      return id;
    });
  }

  async addFile(path: string): Promise<{ id: ObjectId; size: number }> {
    assertWriterOpen(this.state, 'addFile');
    return this.calls.track(async () => {
      const data = readSmallFile(path, this.context.largeObjectThreshold);
      if (data !== undefined) {
        const id = hashBytes(data);
        if (data.byteLength >= this.context.largeObjectThreshold) await this.addBigBytes(id, data);
        else await this.queue(id, data);
        return { id, size: data.byteLength };
      }
      return this.addBigFile(path);
    });
  }

  async commit(): Promise<void> {
    assertWriterOpen(this.state, 'commit');
    this.state = 'committing';
    try {
      await this.calls.settle();
      if (this.broken !== undefined) throw this.broken;
      await this.flush();
      const loose: IndexEntry[] = [];
      await forEachBounded([...this.big], 4, async ([id, { upload, size }]) => {
        await upload.complete();
        loose.push({ id, pack: LOOSE_PACK, offset: 0, length: size });
      });
      // Completed big objects are never deleted if what follows fails: their key is their id, and
      // another writer may have stored and indexed the same bytes meanwhile. `recover()` indexes them.
      this.big.clear();
      if (this.pack) await this.pack.finish();
      this.pack = undefined;
      // Last: an index row must never point at bytes S3 has not confirmed.
      const entries = [...this.packed, ...loose];
      if (entries.length > 0) await this.context.index.add(entries);
      this.state = 'committed';
    } catch (err) {
      this.state = 'failed';
      await this.cleanup();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'failed') return;
    assertWriterOpen(this.state, 'abort');
    this.state = 'aborted';
    await this.calls.settle();
    await this.cleanup();
  }

  private async queue(id: ObjectId, data: Uint8Array): Promise<void> {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.queued.push({ id, data });
    this.queuedBytes += RECORD_HEADER_SIZE + data.byteLength;
    if (this.queuedBytes >= BATCH_BYTES) await this.flush();
  }

  /** Appends the queued objects the index does not know yet (one lookup), sending full parts. */
  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.queuedBytes = 0;
    try {
      const known = await this.context.index.lookup(batch.map((record) => record.id));
      const fresh = batch.filter((record) => !known.has(record.id));
      if (fresh.length === 0) return;
      const pack = (this.pack ??= new PackUpload(
        this.context.gateway,
        this.context.layout,
        this.context.partBytes,
      ));
      const offsets = pack.append(fresh);
      fresh.forEach((record, i) => {
        this.packed.push({
          id: record.id,
          pack: pack.name,
          offset: offsets[i]!,
          length: record.data.byteLength,
        });
      });
      if (pack.size < this.context.maxPackBytes) {
        await pack.drain();
        return;
      }
      // A full pack is stored now and a new one started: still unreachable until the index rows
      // go in at commit, and it keeps any pack within S3's 10,000 parts.
      this.pack = undefined;
      this.finishedPacks.push(pack.key);
      await pack.finish();
    } catch (err) {
      this.broken ??= err;
      throw err;
    }
  }

  /**
   * Claims `id` for upload by this call: false when this writer already has it or the index does.
   * The check and the claim happen with no await between them, so concurrent adds of the same
   * bytes upload once.
   */
  private async claim(id: ObjectId): Promise<boolean> {
    if (!this.seen.has(id)) {
      const stored = (await this.context.index.lookup([id])).has(id);
      if (stored) return false;
      if (!this.seen.has(id)) {
        this.seen.add(id);
        return true;
      }
    }
    this.reliedOn.add(id);
    return false;
  }

  private async addBigBytes(id: ObjectId, data: Uint8Array): Promise<void> {
    if (!(await this.claim(id))) return;
    try {
      const { gateway, layout, partBytes } = this.context;
      const upload = await uploadBytesUncompleted(gateway, layout.looseKey(id), data, partBytes);
      this.big.set(id, { upload, size: data.byteLength });
    } catch (err) {
      // A concurrent add of the same bytes may have resolved trusting this upload.
      this.broken ??= err;
      throw err;
    }
  }

  /**
   * Hashes the file (one local read), skips it when already stored, else uploads it with a second
   * read that hashes again: the key is the id, so the id must be known before the upload starts,
   * and the second hash proves the bytes sent are the bytes named.
   */
  private async addBigFile(path: string): Promise<{ id: ObjectId; size: number }> {
    const { gateway, layout, partBytes } = this.context;
    for (let attempt = 1; attempt <= FILE_ATTEMPTS; attempt++) {
      const hashed = await hashFile(path);
      if (!(await this.claim(hashed.id))) return hashed;
      let upload: MultipartUpload | undefined;
      try {
        upload = await uploadFileUncompleted(gateway, layout.looseKey(hashed.id), path, hashed, partBytes);
      } catch (err) {
        // A concurrent add of the same bytes may have resolved trusting this upload.
        this.broken ??= err;
        throw err;
      }
      if (!upload) {
        // The file changed under us. An add of the same bytes that found them claimed trusted us.
        if (this.reliedOn.has(hashed.id)) this.broken ??= fileKeptChanging(path, attempt);
        this.seen.delete(hashed.id);
      }
      if (upload) {
        this.big.set(hashed.id, { upload, size: hashed.size });
        return hashed;
      }
    }
    throw fileKeptChanging(path, FILE_ATTEMPTS);
  }

  /** Drops buffered bytes and open uploads. Never throws. */
  private async cleanup(): Promise<void> {
    const pack = this.pack;
    this.pack = undefined;
    this.queued = [];
    const uploads = [...this.big.values()].map(({ upload }) => upload.abort());
    this.big.clear();
    const finished = this.finishedPacks.splice(0);
    await Promise.allSettled([
      pack?.abort(),
      ...uploads,
      finished.length > 0 ? this.context.gateway.deleteKeys(finished) : undefined,
    ]);
  }
}

/** The whole content of `path` if it is smaller than `limit` bytes, else undefined (stream it). */
function readSmallFile(path: string, limit: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size >= limit) return undefined;
    // Reads to the end of the file, so a file that grew since fstat is still read whole.
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
