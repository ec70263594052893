import { CorruptObjectError, NotFoundError } from '../errors/index.js';
import { ITEM_SIZE, viewAs } from '../arrays/dtype.js';
import { elementCount } from '../arrays/shape.js';
import type { ObjectId } from '../util/hash.js';
import { chunkPrefix } from './chunks.js';
import type { ColumnContext } from './column-context.js';
import type { ColumnKey } from './column-keys.js';
import { decodeEntry, INLINE_FLAG, readChunkEntryAt, type ChunkEntryScratch } from './entry.js';
import { keyChunks, type Located } from './index-search.js';
import { integerKeyAt, leafLayout } from './leaf-scan.js';
import type { ColumnSchema, NdArray } from './schema.js';

/**
 * The bytes of a column's samples, found from their index entries: which chunk an entry points
 * into, copies straight from cached chunks (no view or object per sample on the hot paths), and
 * whole-column scans over encoded leaves. Chunks come through the checkout's cache, which
 * verified each one's hash when it read it.
 */
export class SampleBytes {
  private chunks: readonly ObjectId[] = [];
  private chunkIds = new Map<string, ObjectId>();
  /** The same chunks keyed by the number `chunkKeyOf` reads from an entry (no string per read). */
  private chunkByKey = new Map<number, { id: ObjectId; tail: number }>();
  /** Where the entry `cachedChunkAt` read last points (reused: no object per sample read). */
  private readonly where: ChunkEntryScratch = { chunkKey: 0, tail: 0, offset: 0, length: 0 };

  constructor(
    private readonly context: ColumnContext,
    private readonly name: string,
    chunks: readonly ObjectId[],
  ) {
    this.setChunks(chunks);
  }

  /** The chunks entries may point into: the column record's, in order. */
  setChunks(chunks: readonly ObjectId[]): void {
    this.chunks = chunks;
    this.chunkIds = new Map(chunks.map((id) => [chunkPrefix(id), id]));
    this.chunkByKey = keyChunks(chunks);
  }

  /** True when `id` (or a chunk of the same prefix) is one of the chunks. */
  knows(id: ObjectId): boolean {
    return this.chunkIds.has(chunkPrefix(id));
  }

  /** The raw bytes and shape of an entry; synchronous when its chunk is cached. */
  bytesOf(value: Uint8Array, where: string): Located | Promise<Located> {
    if (value[0] === INLINE_FLAG) return { bytes: value.subarray(1) };
    const hit = this.cachedChunkOf(value);
    if (hit) return { bytes: hit.subarray(this.where.offset, this.where.offset + this.where.length) };
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
    const position = this.chunks.indexOf(id);
    this.context.chunks.prefetch(this.chunks.slice(position + 1, position + 3));
    return this.context.chunks.get(id).then(slice);
  }

  /**
   * The cached raw chunk a plain chunk entry points into, its place in `this.where`; undefined
   * for other entries or a chunk not in memory (the checked path of `bytesOf` handles both). The
   * last two prefix bytes settle a shared key: the fast path never picks a wrong chunk.
   */
  private cachedChunkOf(value: Uint8Array): Buffer | undefined {
    return this.cachedChunkAt(value, 0, value.byteLength);
  }

  /** `cachedChunkOf` for the entry at `bytes[start, end)`. */
  cachedChunkAt(bytes: Uint8Array, start: number, end: number): Buffer | undefined {
    if (!readChunkEntryAt(bytes, start, end, this.where)) return undefined;
    const known = this.chunkByKey.get(this.where.chunkKey);
    return known && known.tail === this.where.tail ? this.context.chunks.peek(known.id) : undefined;
  }

  /** The slab single samples are copied out into (see `sampleCopy`), and how much of it is used. */
  private slab = new Uint8Array(0);
  private slabUsed = 0;

  /**
   * A fixed-size sample's bytes copied out of its cached chunk into a view of a shared slab, or
   * undefined when the entry is not a plain one in a cached chunk (the caller takes the checked
   * path). One 64 KiB allocation serves ~80 MNIST samples: an ArrayBuffer per sample cost about
   * as much as the rest of a warm get. Views start at multiples of 8 (any dtype views them).
   */
  sampleCopy(value: Uint8Array, sampleBytes: number): Uint8Array | undefined {
    const raw = this.cachedChunkOf(value);
    if (!raw || this.where.length !== sampleBytes) return undefined;
    let out: Uint8Array;
    if (sampleBytes > SLAB_BYTES / 4) out = new Uint8Array(sampleBytes);
    else {
      if (this.slabUsed + sampleBytes > this.slab.byteLength) {
        this.slab = new Uint8Array(SLAB_BYTES);
        this.slabUsed = 0;
      }
      out = new Uint8Array(this.slab.buffer, this.slabUsed, sampleBytes);
      this.slabUsed += (sampleBytes + 7) & ~7;
    }
    raw.copy(out, 0, this.where.offset, this.where.offset + sampleBytes);
    return out;
  }

  /**
   * Copies a fixed-size sample's bytes to `out` at `at`: synchronous for inline entries and cached
   * chunks (no view or object per sample), else through the checked path.
   */
  copySample(
    value: Uint8Array,
    out: Uint8Array,
    at: number,
    sampleBytes: number,
    where: string,
  ): void | Promise<void> {
    const raw = this.cachedChunkOf(value);
    if (raw && this.where.length === sampleBytes) {
      raw.copy(out, at, this.where.offset, this.where.offset + sampleBytes);
      return;
    }
    if (value[0] === INLINE_FLAG && value.byteLength === 1 + sampleBytes) {
      for (let j = 0; j < sampleBytes; j++) out[at + j] = value[1 + j]!;
      return;
    }
    const located = this.bytesOf(value, where);
    const put = ({ bytes }: Located) => {
      if (bytes.byteLength !== sampleBytes) {
        throw new CorruptObjectError(
          `column '${this.name}': ${where} holds ${bytes.byteLength} bytes, not ${sampleBytes}`,
          { column: this.name },
        );
      }
      out.set(bytes, at);
    };
    if (located instanceof Promise) return located.then(put);
    put(located);
  }

  /**
   * Every sample in key order as contiguous batches, read leaf by leaf without per-key lookups:
   * the fast way to read a whole fixed-shape column.
   */
  async *scan(
    leaves: AsyncIterable<{ id: ObjectId; bytes: Uint8Array }>,
    schema: ColumnSchema,
    publicKey: (canonical: string) => ColumnKey,
    size: number,
    dropLast: boolean,
  ): AsyncGenerator<{ keys: ColumnKey[]; samples: NdArray }> {
    const sampleBytes = elementCount(schema.shape!) * ITEM_SIZE[schema.dtype!];
    let out = uninitialized(sampleBytes * size);
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
      out = uninitialized(sampleBytes * size);
      keys = [];
      return batch;
    };
    // Samples that lie back to back in one cached chunk are copied as one run.
    let runRaw: Buffer | undefined;
    let runStart = 0;
    let runEnd = 0;
    let runAt = 0;
    const flushRun = () => {
      if (runRaw) runRaw.copy(out, runAt, runStart, runEnd);
      runRaw = undefined;
    };
    const flat = schema.layout !== 'nested';
    for await (const leaf of leaves) {
      const bytes = leaf.bytes;
      const layout = leafLayout(bytes, leaf.id);
      if (!layout) {
        throw new CorruptObjectError(`object ${leaf.id} is not a valid tree node: expected a leaf`, {
          id: leaf.id,
        });
      }
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let n = 0; n < layout.length; n += 4) {
        const at = keys.length * sampleBytes;
        const valueStart = layout[n + 2]!;
        const valueEnd = layout[n + 3]!;
        const raw = this.cachedChunkAt(bytes, valueStart, valueEnd);
        if (raw && this.where.length === sampleBytes) {
          if (raw === runRaw && this.where.offset === runEnd) runEnd += sampleBytes;
          else {
            flushRun();
            runRaw = raw;
            runStart = this.where.offset;
            runEnd = runStart + sampleBytes;
            runAt = at;
          }
        } else if (bytes[valueStart] === INLINE_FLAG && valueEnd - valueStart === 1 + sampleBytes) {
          flushRun();
          for (let j = 0; j < sampleBytes; j++) out[at + j] = bytes[valueStart + 1 + j]!;
        } else {
          flushRun();
          const key = text.toString('utf8', layout[n]!, layout[n + 1]!);
          const copied = this.copySample(bytes.subarray(valueStart, valueEnd), out, at, sampleBytes, key);
          if (copied) await copied;
        }
        const integer = flat ? integerKeyAt(bytes, layout[n]!, layout[n + 1]!) : -1;
        keys.push(integer >= 0 ? integer : publicKey(text.toString('utf8', layout[n]!, layout[n + 1]!)));
        if (keys.length === size) {
          flushRun();
          yield emit();
        }
      }
    }
    flushRun();
    if (keys.length > 0 && !dropLast) yield emit();
  }
}

/** Bytes of a slab that single samples read by `get` are copied out into. */
const SLAB_BYTES = 64 * 1024;

/** A byte array not zeroed first, for output the caller fills whole (a batch of every sample). */
function uninitialized(length: number): Uint8Array {
  const memory = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(memory.buffer, memory.byteOffset, length);
}
