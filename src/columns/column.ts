import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { MapEntry } from '../repo/merkle/map-node.js';
import { ITEM_SIZE, viewAs } from '../arrays/dtype.js';
import { elementCount } from '../arrays/shape.js';
import { canonicalKey, publicKey, type ColumnKey } from './column-keys.js';
import type { ColumnRecord } from './column-record.js';
import type { ColumnContext } from './column-context.js';
import { ColumnWrites } from './column-writes.js';
import { decodeEntry } from './entry.js';
import { ColumnIndex } from './column-index.js';
import { ABSENT } from './pending-writes.js';
import { SampleBytes } from './sample-bytes.js';
import { encodeSample, type ColumnSchema, type NdArray } from './schema.js';
import { shuffleInPlace } from './seeded-shuffle.js';

/** What `get` returns: an NdArray, bytes or a string, by column kind. */
export type Sample = NdArray | Uint8Array | string;

/** Above this many pending samples, writes are folded into the index (durable, not yet staged). */
const APPLY_EVERY = 1 << 18;

/**
 * One column seen through a checkout. Reads go index → entry → chunk; the index nodes and chunks
 * are cached, so a random get costs a few map lookups once warm. Writes (writer checkouts only)
 * collect in memory and are folded into a new index by `apply`, which stores everything durably
 * but publishes nothing: the checkout stages the new record when the caller flushes.
 */
export class Column {
  /** Key → pending write: a sample-table index, an inline entry, or null for a deletion. */
  private readonly writes: ColumnWrites;
  /** Sample bytes from index entries: chunk lookups, copies and whole-column scans. */
  private readonly reader: SampleBytes;
  /** Lookups and walks over the index of `current`. */
  private readonly index: ColumnIndex;

  constructor(
    private readonly context: ColumnContext,
    private current: ColumnRecord,
  ) {
    this.reader = new SampleBytes(context, current.schema.name, current.chunks);
    this.writes = new ColumnWrites(context, current.schema);
    this.index = new ColumnIndex(context, current.index);
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
    return this.writes.pending.size > 0;
  }

  private canonical(key: ColumnKey): string {
    return canonicalKey(this.schema, key);
  }

  private publicKey(canonical: string): ColumnKey {
    return publicKey(this.schema, canonical);
  }

  // ---- reads ------------------------------------------------------------------------------

  /** The index's leaves in key order (pending writes folded in first). */
  private async *leaves(): AsyncGenerator<readonly MapEntry[]> {
    this.context.assertOpen();
    await this.applyPending();
    yield* this.index.leaves();
  }

  /** The entry of a canonical key: no promise when its index path is cached. */
  private find(canonical: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    return this.index.find(canonical);
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
    const p = this.writes.pending.size > 0 ? this.writes.pending.get(canonical) : ABSENT;
    if (p !== ABSENT) {
      if (p === null) return undefined;
      if (p instanceof Uint8Array) {
        const entry = decodeEntry(p, `key ${JSON.stringify(key)}`);
        if ('inline' in entry) return this.toSample(entry.inline, entry.shape);
      }
      // A sample in a chunk being filled: fold the writes in, then read it like any other.
      await this.applyPending();
    }
    const found = this.find(canonical);
    const value = found instanceof Promise ? await found : found;
    if (!value) return undefined;
    const schema = this.schema;
    if (schema.kind === 'ndarray' && !schema.variable) {
      // The warm path: copied straight from the cached chunk, no intermediate view.
      const dtype = schema.dtype!;
      const copied = this.reader.sampleCopy(value, elementCount(schema.shape!) * ITEM_SIZE[dtype]);
      if (copied) return { dtype, shape: schema.shape!, data: viewAs(dtype, copied) };
    }
    const located = this.reader.bytesOf(value, canonical);
    const { bytes, shape } = located instanceof Promise ? await located : located;
    return this.toSample(bytes, shape);
  }

  async has(key: ColumnKey): Promise<boolean> {
    this.context.assertOpen();
    const canonical = this.canonical(key);
    const p = this.writes.pending.size > 0 ? this.writes.pending.get(canonical) : ABSENT;
    if (p !== ABSENT) return p !== null;
    return (await this.index.lookup(canonical)) !== undefined;
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
        const { bytes, shape } = await this.reader.bytesOf(e.value, `key ${e.key}`);
        yield this.toSample(bytes, shape);
      }
    }
  }

  async *entries(): AsyncGenerator<[ColumnKey, Sample]> {
    for await (const entries of this.leaves()) {
      for (const e of entries) {
        const { bytes, shape } = await this.reader.bytesOf(e.value, `key ${e.key}`);
        yield [this.publicKey(e.key), this.toSample(bytes, shape)];
      }
    }
  }

  /**
   * Every sample in key order as contiguous batches, read leaf by leaf without per-key lookups:
   * the fast way to read a whole fixed-shape column.
   */
  private scan(size: number, dropLast: boolean): AsyncGenerator<{ keys: ColumnKey[]; samples: NdArray }> {
    const leafBytes = async function* (self: Column) {
      self.context.assertOpen();
      await self.applyPending();
      yield* self.index.leafBytes();
    };
    return this.reader.scan(leafBytes(this), this.schema, (c) => this.publicKey(c), size, dropLast);
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
      const canonical = this.canonical(keys[i]!);
      const found = this.find(canonical);
      const value = found instanceof Promise ? await found : found;
      if (!value)
        throw new NotFoundError(`column '${this.name}' has no key ${JSON.stringify(keys[i])}`, {
          key: keys[i],
        });
      const copied = this.reader.copySample(
        value,
        out,
        i * sampleBytes,
        sampleBytes,
        `key ${JSON.stringify(keys[i])}`,
      );
      if (copied) await copied;
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

  /** Stages one sample: checked against the schema, bytes appended to the current chunk. */
  private stage(canonical: string, label: string, value: unknown): void {
    const { bytes, shape } = encodeSample(this.schema, label, value);
    const keepShape = this.schema.variable && this.schema.kind === 'ndarray' ? shape : undefined;
    this.writes.stage(canonical, bytes, keepShape, shape);
  }

  async set(key: ColumnKey, value: unknown): Promise<void> {
    this.assertWritable();
    await this.writes.open();
    this.stage(this.canonical(key), JSON.stringify(key), value);
    await this.applyIfFull();
  }

  /** Many samples at once: `[key, value]` pairs, or a map. Checked before anything is staged. */
  async setMany(
    entries: Iterable<readonly [ColumnKey, unknown]> | ReadonlyMap<ColumnKey, unknown>,
  ): Promise<number> {
    this.assertWritable();
    await this.writes.open();
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
    await this.writes.open();
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
    await this.writes.stageRun(
      batch,
      sampleBytes,
      schema.variable ? batch.shape : undefined,
      (i) => this.canonical('start' in keys ? keys.start + i : (keys as readonly ColumnKey[])[i]!),
      () => this.applyIfFull(),
    );
  }

  /** Folds writes in once enough are pending (bounded memory), then goes on with a new writer. */
  private async applyIfFull(): Promise<void> {
    if (this.writes.pending.size < APPLY_EVERY) return;
    await this.applyPending();
    await this.writes.open();
  }

  /** Removes a sample; false when there was none. */
  async delete(key: ColumnKey): Promise<boolean> {
    this.assertWritable();
    const canonical = this.canonical(key);
    const p = this.writes.pending.size > 0 ? this.writes.pending.get(canonical) : ABSENT;
    const existed = p === ABSENT ? (await this.index.lookup(canonical)) !== undefined : p !== null;
    if (existed) this.writes.pending.set(canonical, null);
    return existed;
  }

  /** Drops pending writes (nothing was published). */
  async discard(): Promise<void> {
    await this.writes.discard();
  }

  /**
   * Folds pending writes into a new index: chunks and index nodes are stored durably, the record
   * moves in memory. Nothing is visible to others until the checkout stages it.
   */
  async applyPending(): Promise<void> {
    if (!this.writes.active) return;
    const applied = await this.writes.apply(this.current);
    const newChunks = applied.chunks.filter((id) => !this.reader.knows(id));
    this.current = {
      ...this.current,
      index: applied.index,
      count: applied.count,
      chunks: [...this.current.chunks, ...newChunks],
    };
    this.reader.setChunks(this.current.chunks);
    this.index.root = this.current.index;
  }

  /** Replaces the record (after a reset or merge). */
  replaceRecord(record: ColumnRecord): void {
    this.current = record;
    this.reader.setChunks(record.chunks);
    this.index.root = record.index;
  }
}
