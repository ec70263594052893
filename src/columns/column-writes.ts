import type { ObjectWriter } from '../store/object-store.js';
import { buildMap } from '../repo/merkle/build-map.js';
import { editMap, type MapEdit } from '../repo/merkle/edit-map.js';
import type { MapEntry } from '../repo/merkle/map-node.js';
import { digestPool } from '../util/digest-pool.js';
import { SAMPLE_DIGEST_BYTES, loadSampleDigester, type ObjectId, type SampleDigester } from '../util/hash.js';
import { ChunkSink } from './chunks.js';
import type { ColumnContext } from './column-context.js';
import type { ColumnRecord } from './column-record.js';
import { encodeInlineEntry, INLINE_FLAG, INLINE_MAX } from './entry.js';
import { PendingWrites } from './pending-writes.js';
import { SampleTable } from './sample-table.js';
import { digestPrefix, type ColumnSchema } from './schema.js';

/**
 * Samples staged between memory checks in bulk writes (one await per sample cost more than the
 * staging; the bound on pending writes may be passed by at most this many).
 */
const APPLY_CHECK_EVERY = 4096;

/**
 * Samples per digest-worker request in bulk writes. Small enough that an import's 8 MiB batches
 * (~10,000 MNIST samples each) are several requests: the worker digests the next ones while this
 * thread stages the first (with 8,192 a batch was one request and digested here, unparallel).
 */
const DIGEST_BATCH = 2048;

/** Digest requests kept in flight ahead of the run being staged, so the worker never waits. */
const DIGEST_AHEAD = 2;

/**
 * The part of each run the writing thread digests itself (divided by the number of workers).
 * With one worker it waited for digests most of a bulk write: it stages a sample in ~2.6 µs and
 * digests one in ~3 µs, the worker needs ~6 µs a digest (hash-wasm's per-call costs included).
 */
const WRITER_DIGEST_SHARE = 0.4;

/** A batch of same-shape samples, back to back (little-endian, C order). */
export interface SampleRun {
  readonly shape: readonly number[];
  readonly count: number;
  readonly data: Uint8Array;
}

/**
 * A writer's side of a column: pending writes, the samples appended to chunks for them, and the
 * object writer that makes both durable when they are folded into a new index (`apply`). Reads go
 * through Column, which consults `pending` first.
 */
export class ColumnWrites {
  readonly pending = new PendingWrites();
  private readonly table = new SampleTable();
  private sink: ChunkSink | undefined;
  private writer: ObjectWriter | undefined;
  private digester: SampleDigester | undefined;
  private readonly prefixes = new Map<string, Buffer>();

  constructor(
    private readonly context: ColumnContext,
    private readonly schema: ColumnSchema,
  ) {}

  /** True when something is staged or a writer is open. */
  get active(): boolean {
    return this.pending.size > 0 || this.writer !== undefined;
  }

  /** Opens the object writer and chunk sink if needed. */
  async open(): Promise<void> {
    this.digester ??= await loadSampleDigester();
    if (!this.writer) {
      this.writer = this.context.repo.store.createWriter();
      this.sink = new ChunkSink(this.writer, this.schema.compression);
    }
  }

  /** The digest prefix of a shape, encoded once per shape. */
  private prefixFor(shape: readonly number[]): Buffer {
    const text = digestPrefix(this.schema, shape);
    let prefix = this.prefixes.get(text);
    if (!prefix) {
      prefix = Buffer.from(text);
      this.prefixes.set(text, prefix);
    }
    return prefix;
  }

  /** Stages one checked sample (the writer is open). */
  stage(
    canonical: string,
    bytes: Uint8Array,
    keepShape: readonly number[] | undefined,
    shape: readonly number[],
  ): void {
    if (bytes.byteLength <= INLINE_MAX) {
      this.pending.set(canonical, encodeInlineEntry(bytes, keepShape));
      return;
    }
    // The same sample twice in one session is stored once (the table compares digests).
    this.pending.set(
      canonical,
      this.table.add(bytes, this.prefixFor(shape), keepShape, this.digester!, this.sink!),
    );
  }

  /**
   * Stages a checked batch keyed `keyAt(i)`, calling `applyIfFull` between runs to bound memory
   * (which may apply and reopen). Small samples become inline entries encoded into one buffer;
   * big batches digest in worker threads while this thread stages the previous run.
   */
  async stageRun(
    batch: SampleRun,
    sampleBytes: number,
    keepShape: readonly number[] | undefined,
    keyAt: (i: number) => string,
    applyIfFull: () => Promise<void>,
  ): Promise<void> {
    const sampleAt = (i: number) => batch.data.subarray(i * sampleBytes, (i + 1) * sampleBytes);
    const source = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
    const pool = sampleBytes > INLINE_MAX && batch.count >= 2 * DIGEST_BATCH ? digestPool() : undefined;
    if (sampleBytes <= INLINE_MAX && !keepShape) {
      // Labels and scalars: every entry inline, encoded into one buffer (see entry.ts).
      const arena = Buffer.allocUnsafe(batch.count * (1 + sampleBytes));
      for (let i = 0; i < batch.count; i++) {
        const at = i * (1 + sampleBytes);
        arena[at] = INLINE_FLAG;
        // Copied byte by byte: a view per sample to copy 8 bytes cost more than the copy.
        for (let j = 0, from = i * sampleBytes; j < sampleBytes; j++) arena[at + 1 + j] = source[from + j]!;
        // A plain view: Buffer#subarray costs several times more, 10^5 times over.
        this.pending.set(keyAt(i), new Uint8Array(arena.buffer, arena.byteOffset + at, 1 + sampleBytes));
        if (i % APPLY_CHECK_EVERY === APPLY_CHECK_EVERY - 1) await applyIfFull();
      }
      return;
    }
    if (!pool) {
      for (let i = 0; i < batch.count; i++) {
        this.stage(keyAt(i), sampleAt(i), keepShape, batch.shape);
        if (i % APPLY_CHECK_EVERY === APPLY_CHECK_EVERY - 1) await applyIfFull();
      }
      return;
    }
    // Digests of the next runs are computed in the worker while this thread stages the current one.
    const prefix = this.prefixFor(batch.shape);
    // The first `workerPart(n)` samples of a run go to the workers, the rest are digested here.
    const workerPart = (n: number) => n - Math.floor((n * WRITER_DIGEST_SHARE) / pool.size);
    const digestRun = (from: number) => {
      const n = workerPart(Math.min(DIGEST_BATCH, batch.count - from));
      return pool.digest(
        prefix,
        batch.data.subarray(from * sampleBytes, (from + n) * sampleBytes),
        sampleBytes,
        n,
      );
    };
    const ahead: Promise<Uint8Array>[] = [];
    let requested = 0;
    const request = () => {
      while (ahead.length < DIGEST_AHEAD && requested < batch.count) {
        const digests = digestRun(requested);
        // Handled here too: a failure stops the loop before a request further ahead is awaited.
        digests.catch(() => undefined);
        ahead.push(digests);
        requested += DIGEST_BATCH;
      }
    };
    request();
    for (let from = 0; from < batch.count; from += DIGEST_BATCH) {
      const fromWorkers = ahead.shift()!;
      request();
      const n = Math.min(DIGEST_BATCH, batch.count - from);
      const digests = new Uint8Array(n * SAMPLE_DIGEST_BYTES);
      for (let j = workerPart(n); j < n; j++)
        this.digester!(prefix, sampleAt(from + j), digests, j * SAMPLE_DIGEST_BYTES);
      digests.set(await fromWorkers, 0);
      // New samples (not equal to one staged before) are copied into chunks a run at a time.
      let runStart = -1;
      const runRows: number[] = [];
      const copyRun = (end: number) => {
        if (runStart < 0) return;
        this.sink!.appendMany(
          source,
          (from + runStart) * sampleBytes,
          end - runStart,
          sampleBytes,
          (k, chunkIndex, offset) => this.table.setLocation(runRows[k]!, chunkIndex, offset, sampleBytes),
        );
        runStart = -1;
        runRows.length = 0;
      };
      for (let j = 0; j < n; j++) {
        const row = this.table.claim(digests, j * SAMPLE_DIGEST_BYTES, keepShape);
        if (this.table.claimedNew) {
          if (runStart < 0) runStart = j;
          runRows.push(row);
        } else copyRun(j);
        this.pending.set(keyAt(from + j), row);
      }
      copyRun(n);
      await this.sink!.drain();
      await applyIfFull();
    }
  }

  /** Drops pending writes (nothing was published). */
  async discard(): Promise<void> {
    this.pending.clear();
    this.table.clear();
    await this.writer?.abort().catch(() => undefined);
    this.writer = undefined;
    this.sink = undefined;
  }

  /**
   * Folds pending writes into a new index over `current`: chunks and index nodes are stored
   * durably. Returns the new index root, count and the chunks it added. Always leaves the writes
   * empty and the writer closed.
   */
  async apply(current: ColumnRecord): Promise<{ index: ObjectId; count: number; chunks: ObjectId[] }> {
    const writer = this.writer!;
    try {
      const chunks = this.sink ? await this.sink.finish() : [];
      const { keys, values: pendingValues } = this.pending.inKeyOrder();
      // Chunk entries are encoded first, so that each key's edit is made once, final: the edit
      // list is 10^5–10^7 objects long in a bulk import.
      const rows: number[] = [];
      for (const p of pendingValues) if (typeof p === 'number') rows.push(p);
      const encoded =
        rows.length > 0
          ? this.table.encodeEntries(
              rows,
              chunks.map((c) => Buffer.from(c.prefix!, 'hex')),
            )
          : [];
      const edits: MapEdit[] = new Array(keys.length);
      let deletions = 0;
      for (let i = 0, row = 0; i < keys.length; i++) {
        const p = pendingValues[i]!;
        if (p === null) {
          edits[i] = { key: keys[i]! };
          deletions++;
        } else edits[i] = { key: keys[i]!, value: typeof p === 'number' ? encoded[row++]! : p };
      }
      const empty = current.count === 0;
      const built = empty
        ? buildMap(
            deletions === 0
              ? (edits as MapEntry[])
              : edits.filter((e) => e.value).map((e) => ({ key: e.key, value: e.value! })),
          )
        : await editMap(this.context.nodes, current.index, edits);
      // A fresh index shares no node with the store (but an empty leaf); an edit shares most.
      const present = empty
        ? new Set<string>()
        : await this.context.repo.store.hasMany(built.nodes.map((n) => n.id));
      for (const node of built.nodes) if (!present.has(node.id)) await writer.add(node.bytes);
      await writer.commit();
      return { index: built.root, count: built.count, chunks: chunks.map((c) => c.id!) };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    } finally {
      this.pending.clear();
      this.table.clear();
      this.writer = undefined;
      this.sink = undefined;
    }
  }
}
