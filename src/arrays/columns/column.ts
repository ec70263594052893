import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { buildMap } from '../../repo/merkle/build-map.js';
import { editMap, type MapEdit } from '../../repo/merkle/edit-map.js';
import { decodeMapNode, type ChildRef, type MapEntry, type MapNode } from '../../repo/merkle/map-node.js';
import type { NodeSource } from '../../repo/merkle/read-map.js';
import type { Repository } from '../../repo/repository.js';
import { digestPool } from '../../util/digest-pool.js';
import {
  SAMPLE_DIGEST_BYTES,
  loadSampleDigester,
  type ObjectId,
  type SampleDigester,
} from '../../util/hash.js';
import { ITEM_SIZE, viewAs } from '../dtype.js';
import { canonicalKey, publicKey, type ColumnKey } from './column-keys.js';
import { elementCount } from '../shape.js';
import { ChunkSink, chunkPrefix, type ChunkCache } from './chunks.js';
import { SampleTable } from './sample-table.js';
import { ABSENT, PendingWrites } from './pending-writes.js';
import type { ColumnRecord } from './column-record.js';
import {
  chunkKeyOf,
  decodeEntry,
  encodeInlineEntry,
  entryLocation,
  INLINE_FLAG,
  INLINE_MAX,
} from './entry.js';
import { digestPrefix, encodeSample, type ColumnSchema, type NdArray } from './schema.js';

/** What `get` returns: an NdArray, bytes or a string, by column kind. */
export type Sample = NdArray | Uint8Array | string;

/** Where a sample's bytes are: a view into an inline entry or a cached chunk. */
interface Located {
  readonly bytes: Uint8Array;
  readonly shape?: readonly number[];
}

const MISS = Symbol('not cached');

/** Chunks by the numeric key of their id prefix; a key two chunks share is left out (slow path). */
function keyChunks(ids: readonly ObjectId[]): Map<number, { id: ObjectId; tail: number }> {
  const out = new Map<number, { id: ObjectId; tail: number }>();
  const shared = new Set<number>();
  for (const id of ids) {
    const prefix = Buffer.from(id.slice(0, 16), 'hex');
    const key = chunkKeyOf(prefix, 0);
    if (out.has(key) && out.get(key)!.id !== id) shared.add(key);
    out.set(key, { id, tail: prefix[6]! + prefix[7]! * 0x100 });
  }
  for (const key of shared) out.delete(key);
  return out;
}

/** The child of an internal node whose range holds `key` (binary search), or undefined. */
function childFor(children: readonly ChildRef[], key: string): ObjectId | undefined {
  let lo = 0;
  let hi = children.length - 1;
  if (key > children[hi]!.lastKey) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (children[mid]!.lastKey < key) lo = mid + 1;
    else hi = mid;
  }
  return children[lo]!.id;
}

/** Binary search of a leaf's sorted entries. */
function findEntry(entries: readonly MapEntry[], key: string): Uint8Array | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = entries[mid]!.key;
    if (k === key) return entries[mid]!.value;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Decoded index nodes a checkout keeps (a leaf holds ~64 entries: 4M samples' worth). */
const NODE_CACHE_ENTRIES = 1 << 16;

/** Samples per digest-worker request in bulk writes. */
const DIGEST_BATCH = 8192;

/** Above this many pending samples, writes are folded into the index (durable, not yet staged). */
const APPLY_EVERY = 1 << 18;

/** Shared by the columns of one checkout. */
export interface ColumnContext {
  readonly repo: Repository;
  readonly nodes: NodeSource;
  /** Decoded nodes by id, read synchronously on the hot path of `get`. */
  readonly nodeCache: Map<ObjectId, MapNode>;
  readonly chunks: ChunkCache;
  readonly writable: boolean;
  /** Throws when the checkout is closed. */
  readonly assertOpen: () => void;
}

/**
 * One column seen through a checkout. Reads go index → entry → chunk; the index nodes and chunks
 * are cached, so a random get costs a few map lookups once warm. Writes (writer checkouts only)
 * collect in memory and are folded into a new index by `apply`, which stores everything durably
 * but publishes nothing: the checkout stages the new record when the caller flushes.
 */
export class Column {
  /** Key → pending write: a sample-table index, an inline entry, or null for a deletion. */
  private readonly pending = new PendingWrites();
  private readonly table = new SampleTable();
  private sink: ChunkSink | undefined;
  private writer: ReturnType<Repository['store']['createWriter']> | undefined;
  private digester: SampleDigester | undefined;
  private chunkIds: Map<string, ObjectId>;
  /** The same chunks keyed by the number `chunkKeyOf` reads from an entry (no string per read). */
  private chunkByKey: Map<number, { id: ObjectId; tail: number }>;

  constructor(
    private readonly context: ColumnContext,
    private current: ColumnRecord,
  ) {
    this.chunkIds = new Map(current.chunks.map((id) => [chunkPrefix(id), id]));
    this.chunkByKey = keyChunks(current.chunks);
  }

  get name(): string {
    return this.current.schema.name;
  }

  get schema(): ColumnSchema {
    return this.current.schema;
  }

  /** The record as of the last apply (pending writes not included). */
  get record(): ColumnRecord {
    return this.current;
  }

  /** True when writes wait to be applied. */
  get dirty(): boolean {
    return this.pending.size > 0;
  }

  private canonical(key: ColumnKey): string {
    return canonicalKey(this.schema, key);
  }

  private publicKey(canonical: string): ColumnKey {
    return publicKey(this.schema, canonical);
  }

  // ---- reads ------------------------------------------------------------------------------

  /** A decoded index node: from the checkout's in-memory cache without a promise when warm. */
  private node(id: ObjectId): MapNode | Promise<MapNode> {
    return this.context.nodeCache.get(id) ?? this.loadNode(id);
  }

  private async loadNode(id: ObjectId): Promise<MapNode> {
    const node = await this.context.nodes(id);
    const cache = this.context.nodeCache;
    if (cache.size >= NODE_CACHE_ENTRIES) cache.clear();
    cache.set(id, node);
    return node;
  }

  /** Reads and caches the nodes not cached yet, in one store call. */
  private async prefetch(ids: readonly ObjectId[]): Promise<void> {
    const cache = this.context.nodeCache;
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length === 0) return;
    const got = await this.context.repo.store.getMany(missing);
    if (cache.size + missing.length >= NODE_CACHE_ENTRIES) cache.clear();
    for (const [id, bytes] of got) cache.set(id, decodeMapNode(bytes, id));
  }

  /** The index's leaves in key order, each an array of entries. */
  private async *leaves(): AsyncGenerator<readonly MapEntry[]> {
    this.context.assertOpen();
    await this.applyPending();
    const walk = async function* (self: Column, id: ObjectId): AsyncGenerator<readonly MapEntry[]> {
      const node = await self.node(id);
      if (node.kind === 'leaf') {
        yield node.entries;
        return;
      }
      // Children are read in one batch: one index lookup instead of one per node.
      await self.prefetch(node.children.map((c) => c.id));
      for (const child of node.children) yield* walk(self, child.id);
    };
    for await (const entries of walk(this, this.current.index)) {
      this.context.assertOpen();
      yield entries;
    }
  }

  /** The index entry of a canonical key, reading only the nodes on its path. */
  private async lookup(canonical: string): Promise<Uint8Array | undefined> {
    const first = this.node(this.current.index);
    let node = first instanceof Promise ? await first : first;
    while (node.kind === 'internal') {
      const child = childFor(node.children, canonical);
      if (!child) return undefined;
      const next = this.node(child);
      node = next instanceof Promise ? await next : next;
    }
    return findEntry(node.entries, canonical);
  }

  /** The raw bytes and shape of an entry; synchronous when its chunk is cached. */
  private bytesOf(value: Uint8Array, where: string): Located | Promise<Located> {
    if (value[0] === INLINE_FLAG) return { bytes: value.subarray(1) };
    const fast = entryLocation(value);
    if (fast) {
      const known = this.chunkByKey.get(fast.chunkKey);
      // The last two prefix bytes settle it: the fast path never picks a wrong chunk.
      const raw =
        known && known.tail === value[7]! + value[8]! * 0x100
          ? this.context.chunks.peek(known.id)
          : undefined;
      if (raw) return { bytes: raw.subarray(fast.offset, fast.offset + fast.length) };
    }
    const entry = decodeEntry(value, where);
    if ('inline' in entry) return { bytes: entry.inline, shape: entry.shape };
    const { chunk, offset, length } = entry.location;
    const id = this.chunkIds.get(chunk);
    if (!id) {
      throw new NotFoundError(`column '${this.name}': ${where} points into an unknown chunk ${chunk}`, {
        column: this.name,
      });
    }
    const slice = (raw: Buffer): Located => ({
      bytes: raw.subarray(offset, offset + length),
      shape: entry.shape,
    });
    const raw = this.context.chunks.peek(id);
    if (raw) return slice(raw);
    // A chunk miss: sequential reads will want the next chunks too, so they start decoding now.
    const position = this.current.chunks.indexOf(id);
    this.context.chunks.prefetch(this.current.chunks.slice(position + 1, position + 3));
    return this.context.chunks.get(id).then(slice);
  }

  /**
   * The entry of a key when every node on its path is cached (no promise: random gets on a warm
   * checkout cost map lookups only), MISS when a node must be read first.
   */
  private lookupCached(canonical: string): Uint8Array | undefined | typeof MISS {
    const cache = this.context.nodeCache;
    let node = cache.get(this.current.index);
    if (!node) return MISS;
    while (node.kind === 'internal') {
      const child = childFor(node.children, canonical);
      if (!child) return undefined;
      node = cache.get(child);
      if (!node) return MISS;
    }
    return findEntry(node.entries, canonical);
  }

  private toSample(bytes: Uint8Array, shape: readonly number[] | undefined): Sample {
    const schema = this.schema;
    if (schema.kind === 'str') return Buffer.from(bytes).toString('utf8');
    if (schema.kind === 'bytes') return new Uint8Array(bytes);
    // A copy: callers may keep or change it without touching the cached chunk.
    return {
      dtype: schema.dtype!,
      shape: shape ?? schema.shape!,
      data: viewAs(schema.dtype!, new Uint8Array(bytes)),
    };
  }

  /** The sample under `key`, or undefined. */
  async get(key: ColumnKey): Promise<Sample | undefined> {
    this.context.assertOpen();
    const canonical = this.canonical(key);
    const p = this.pending.size > 0 ? this.pending.get(canonical) : ABSENT;
    if (p !== ABSENT) {
      if (p === null) return undefined;
      if (p instanceof Uint8Array) {
        const entry = decodeEntry(p, `key ${JSON.stringify(key)}`);
        if ('inline' in entry) return this.toSample(entry.inline, entry.shape);
      }
      // A sample in a chunk being filled: fold the writes in, then read it like any other.
      await this.applyPending();
    }
    const cached = this.lookupCached(canonical);
    const value = cached === MISS ? await this.lookup(canonical) : cached;
    if (!value) return undefined;
    const located = this.bytesOf(value, canonical);
    const { bytes, shape } = located instanceof Promise ? await located : located;
    return this.toSample(bytes, shape);
  }

  async has(key: ColumnKey): Promise<boolean> {
    this.context.assertOpen();
    const canonical = this.canonical(key);
    const p = this.pending.size > 0 ? this.pending.get(canonical) : ABSENT;
    if (p !== ABSENT) return p !== null;
    return (await this.lookup(canonical)) !== undefined;
  }

  /** Number of samples (pending writes applied first). */
  async size(): Promise<number> {
    this.context.assertOpen();
    await this.applyPending();
    return this.current.count;
  }

  /** Every key in index order (integers in numeric order, before strings). */
  async *keys(): AsyncGenerator<ColumnKey> {
    for await (const entries of this.leaves()) for (const e of entries) yield this.publicKey(e.key);
  }

  async *values(): AsyncGenerator<Sample> {
    for await (const entries of this.leaves()) {
      for (const e of entries) {
        const { bytes, shape } = await this.bytesOf(e.value, `key ${e.key}`);
        yield this.toSample(bytes, shape);
      }
    }
  }

  async *entries(): AsyncGenerator<[ColumnKey, Sample]> {
    for await (const entries of this.leaves()) {
      for (const e of entries) {
        const { bytes, shape } = await this.bytesOf(e.value, `key ${e.key}`);
        yield [this.publicKey(e.key), this.toSample(bytes, shape)];
      }
    }
  }

  /**
   * Every sample in key order as contiguous batches, read leaf by leaf without per-key lookups:
   * the fast way to read a whole fixed-shape column.
   */
  private async *scan(
    size: number,
    dropLast: boolean,
  ): AsyncGenerator<{ keys: ColumnKey[]; samples: NdArray }> {
    const schema = this.schema;
    const sampleBytes = elementCount(schema.shape!) * ITEM_SIZE[schema.dtype!];
    let out = new Uint8Array(sampleBytes * size);
    let keys: ColumnKey[] = [];
    const emit = () => {
      const data = keys.length === size ? out : out.subarray(0, keys.length * sampleBytes);
      const batch = {
        keys,
        samples: {
          dtype: schema.dtype!,
          shape: [keys.length, ...schema.shape!],
          data: viewAs(schema.dtype!, data),
        },
      };
      out = new Uint8Array(sampleBytes * size);
      keys = [];
      return batch;
    };
    for await (const entries of this.leaves()) {
      for (const e of entries) {
        const located = this.bytesOf(e.value, e.key);
        out.set((located instanceof Promise ? await located : located).bytes, keys.length * sampleBytes);
        keys.push(this.publicKey(e.key));
        if (keys.length === size) yield emit();
      }
    }
    if (keys.length > 0 && !dropLast) yield emit();
  }

  private requireFixedShape(verb: string): void {
    if (this.schema.kind !== 'ndarray' || this.schema.variable) {
      throw new InvalidArgumentError(`column '${this.name}': ${verb} needs a fixed-shape ndarray column`, {
        column: this.name,
      });
    }
  }

  /**
   * Many fixed-shape samples into one contiguous typed array of shape [keys.length, ...shape], in
   * the order given. A missing key is an error naming it.
   */
  async getMany(keys: readonly ColumnKey[]): Promise<NdArray> {
    this.context.assertOpen();
    const schema = this.schema;
    this.requireFixedShape('getMany');
    await this.applyPending();
    const sampleBytes = elementCount(schema.shape!) * ITEM_SIZE[schema.dtype!];
    const out = new Uint8Array(sampleBytes * keys.length);
    for (let i = 0; i < keys.length; i++) {
      const value = await this.lookup(this.canonical(keys[i]!));
      if (!value)
        throw new NotFoundError(`column '${this.name}' has no key ${JSON.stringify(keys[i])}`, {
          key: keys[i],
        });
      const { bytes } = await this.bytesOf(value, `key ${JSON.stringify(keys[i])}`);
      out.set(bytes, i * sampleBytes);
    }
    return { dtype: schema.dtype!, shape: [keys.length, ...schema.shape!], data: viewAs(schema.dtype!, out) };
  }

  /**
   * Training batches: `getMany` over the keys in index order, or shuffled with a seeded generator
   * (the same seed gives the same order). `dropLast` leaves out a short final batch.
   */
  async *batches(options: {
    size: number;
    shuffle?: boolean;
    seed?: number;
    dropLast?: boolean;
  }): AsyncGenerator<{
    keys: ColumnKey[];
    samples: NdArray;
  }> {
    if (!Number.isSafeInteger(options.size) || options.size < 1) {
      throw new InvalidArgumentError(`batch size must be a whole number >= 1, got ${options.size}`, {
        size: options.size,
      });
    }
    if (!options.shuffle) {
      this.requireFixedShape('batches');
      yield* this.scan(options.size, options.dropLast ?? false);
      return;
    }
    const keys: ColumnKey[] = [];
    for await (const k of this.keys()) keys.push(k);
    shuffleInPlace(keys, options.seed ?? 0);
    for (let i = 0; i < keys.length; i += options.size) {
      const batch = keys.slice(i, i + options.size);
      if (batch.length < options.size && options.dropLast) break;
      yield { keys: batch, samples: await this.getMany(batch) };
    }
  }

  // ---- writes -----------------------------------------------------------------------------

  private assertWritable(): void {
    this.context.assertOpen();
    if (!this.context.writable) {
      throw new InvalidArgumentError(`column '${this.name}' is open read-only: use a writer checkout`, {
        column: this.name,
      });
    }
  }

  private async ensureWriter(): Promise<void> {
    this.digester ??= await loadSampleDigester();
    if (!this.writer) {
      this.writer = this.context.repo.store.createWriter();
      this.sink = new ChunkSink(this.writer, this.schema.compression);
    }
  }

  /** Stages one sample: checked against the schema, bytes appended to the current chunk. */
  private stage(canonical: string, label: string, value: unknown): void {
    const { bytes, shape } = encodeSample(this.schema, label, value);
    const keepShape = this.schema.variable && this.schema.kind === 'ndarray' ? shape : undefined;
    this.stageBytes(canonical, bytes, keepShape, shape);
  }

  private stageBytes(
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

  private readonly prefixes = new Map<string, Buffer>();

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

  async set(key: ColumnKey, value: unknown): Promise<void> {
    this.assertWritable();
    await this.ensureWriter();
    this.stage(this.canonical(key), JSON.stringify(key), value);
    await this.applyIfFull();
  }

  /** Many samples at once: `[key, value]` pairs, or a map. Checked before anything is staged. */
  async setMany(
    entries: Iterable<readonly [ColumnKey, unknown]> | ReadonlyMap<ColumnKey, unknown>,
  ): Promise<number> {
    this.assertWritable();
    await this.ensureWriter();
    let n = 0;
    for (const [key, value] of entries) {
      this.stage(this.canonical(key), JSON.stringify(key), value);
      n++;
      await this.applyIfFull();
    }
    return n;
  }

  /**
   * The bulk path of imports: `count` fixed- or variable-shape samples of one shape, back to back
   * in `data` (little-endian, C order), keyed `keys[i]` (or start, start+1, ...). The data is read
   * during the call only.
   */
  async setBatch(
    keys: readonly ColumnKey[] | { readonly start: number },
    batch: {
      readonly dtype: string;
      readonly shape: readonly number[];
      readonly count: number;
      readonly data: Uint8Array;
    },
  ): Promise<void> {
    this.assertWritable();
    const schema = this.schema;
    if (schema.kind !== 'ndarray') {
      throw new InvalidArgumentError(`column '${this.name}': setBatch needs an ndarray column`, {
        column: this.name,
      });
    }
    if (batch.dtype !== schema.dtype) {
      throw new InvalidArgumentError(
        `column '${this.name}': expected dtype ${schema.dtype}, got ${batch.dtype}`,
        { column: this.name, expected: schema.dtype, got: batch.dtype },
      );
    }
    await this.ensureWriter();
    const sampleBytes = elementCount(batch.shape) * ITEM_SIZE[schema.dtype!];
    if (batch.data.byteLength !== sampleBytes * batch.count) {
      throw new InvalidArgumentError(
        `column '${this.name}': batch of ${batch.count} samples of shape [${batch.shape.join(', ')}] needs ${sampleBytes * batch.count} bytes, got ${batch.data.byteLength}`,
        { column: this.name },
      );
    }
    // One shape check for the whole batch (it is the same for every sample).
    const probe = batch.count > 0 ? batch.data.subarray(0, sampleBytes) : new Uint8Array(0);
    encodeSample(schema, `(batch)`, { data: viewAs(schema.dtype!, probe), shape: batch.shape });
    const keepShape = schema.variable ? batch.shape : undefined;
    const start = 'start' in keys ? keys.start : 0;
    const keyAt = (i: number) => ('start' in keys ? start + i : (keys as readonly ColumnKey[])[i]!);
    const sampleAt = (i: number) => batch.data.subarray(i * sampleBytes, (i + 1) * sampleBytes);
    const source = Buffer.from(batch.data.buffer, batch.data.byteOffset, batch.data.byteLength);
    const pool = sampleBytes > INLINE_MAX && batch.count >= 2 * DIGEST_BATCH ? digestPool() : undefined;
    if (sampleBytes <= INLINE_MAX && !keepShape) {
      // Labels and scalars: every entry inline, encoded into one buffer (see entry.ts).
      const arena = Buffer.allocUnsafe(batch.count * (1 + sampleBytes));
      for (let i = 0; i < batch.count; i++) {
        const at = i * (1 + sampleBytes);
        arena[at] = INLINE_FLAG;
        arena.set(sampleAt(i), at + 1);
        this.pending.set(this.canonical(keyAt(i)), arena.subarray(at, at + 1 + sampleBytes));
        await this.applyIfFull();
      }
      return;
    }
    if (!pool) {
      for (let i = 0; i < batch.count; i++) {
        this.stageBytes(this.canonical(keyAt(i)), sampleAt(i), keepShape, batch.shape);
        await this.applyIfFull();
      }
      return;
    }
    // Digests of the next run are computed in the worker while this thread stages the current one.
    const prefix = this.prefixFor(batch.shape);
    const digestRun = (from: number) => {
      const n = Math.min(DIGEST_BATCH, batch.count - from);
      return pool.digest(
        prefix,
        batch.data.subarray(from * sampleBytes, (from + n) * sampleBytes),
        sampleBytes,
        n,
      );
    };
    let next = digestRun(0);
    for (let from = 0; from < batch.count; from += DIGEST_BATCH) {
      const digests = await next;
      if (from + DIGEST_BATCH < batch.count) next = digestRun(from + DIGEST_BATCH);
      const n = Math.min(DIGEST_BATCH, batch.count - from);
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
        this.pending.set(this.canonical(keyAt(from + j)), row);
      }
      copyRun(n);
      await this.applyIfFull();
    }
  }

  /** Folds writes in once enough are pending (bounded memory), then goes on with a new writer. */
  private async applyIfFull(): Promise<void> {
    if (this.pending.size < APPLY_EVERY) return;
    await this.applyPending();
    await this.ensureWriter();
  }

  /** Removes a sample; false when there was none. */
  async delete(key: ColumnKey): Promise<boolean> {
    this.assertWritable();
    const canonical = this.canonical(key);
    const p = this.pending.size > 0 ? this.pending.get(canonical) : ABSENT;
    const existed = p === ABSENT ? (await this.lookup(canonical)) !== undefined : p !== null;
    if (existed) this.pending.set(canonical, null);
    return existed;
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
   * Folds pending writes into a new index: chunks and index nodes are stored durably, the record
   * moves in memory. Nothing is visible to others until the checkout stages it.
   */
  async applyPending(): Promise<void> {
    if (this.pending.size === 0 && !this.writer) return;
    const writer = this.writer!;
    try {
      const chunks = this.sink ? await this.sink.finish() : [];
      const { keys, values: pendingValues } = this.pending.inKeyOrder();
      const edits: MapEdit[] = new Array(keys.length);
      const staged: number[] = [];
      const rows: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const p = pendingValues[i]!;
        if (typeof p === 'number') {
          staged.push(i);
          rows.push(p);
        }
        edits[i] = p === null || typeof p === 'number' ? { key } : { key, value: p };
      }
      if (staged.length > 0) {
        const prefixes = chunks.map((c) => Buffer.from(c.prefix!, 'hex'));
        const values = this.table.encodeEntries(rows, prefixes);
        for (let n = 0; n < staged.length; n++)
          edits[staged[n]!] = { key: edits[staged[n]!]!.key, value: values[n] };
      }
      const empty = this.current.count === 0;
      const built = empty
        ? buildMap(edits.filter((e) => e.value).map((e) => ({ key: e.key, value: e.value! })))
        : await editMap(this.context.nodes, this.current.index, edits);
      // A fresh index shares no node with the store (but an empty leaf); an edit shares most.
      const present = empty
        ? new Set<string>()
        : await this.context.repo.store.hasMany(built.nodes.map((n) => n.id));
      for (const node of built.nodes) if (!present.has(node.id)) await writer.add(node.bytes);
      await writer.commit();
      const newChunks = chunks.map((c) => c.id!).filter((id) => !this.chunkIds.has(chunkPrefix(id)));
      for (const id of newChunks) this.chunkIds.set(chunkPrefix(id), id);
      this.chunkByKey = keyChunks([...this.chunkIds.values()]);
      this.current = {
        ...this.current,
        index: built.root,
        count: built.count,
        chunks: [...this.current.chunks, ...newChunks],
      };
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

  /** Replaces the record (after a reset or merge). */
  replaceRecord(record: ColumnRecord): void {
    this.current = record;
    this.chunkIds = new Map(record.chunks.map((id) => [chunkPrefix(id), id]));
    this.chunkByKey = keyChunks(record.chunks);
  }
}

/** Fisher–Yates with mulberry32: the same seed gives the same order on every machine. */
function shuffleInPlace<T>(items: T[], seed: number): void {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
