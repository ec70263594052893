import { CorruptObjectError } from '../errors/index.js';
import type { ObjectStore, ObjectWriter } from '../store/object-store.js';
import type { ObjectId } from '../util/hash.js';
import { loadCodec, CODECS, type Codec, type CodecImpl } from '../arrays/codecs/codec.js';
import { CHUNK_PREFIX_BYTES } from './entry.js';

/**
 * Sample data is appended to chunks of ~4 MiB, each one stored object: a 4-byte magic, a codec
 * byte, the raw length (uint32 LE) and the (possibly compressed) samples back to back. Big chunks
 * keep the object count and per-object costs low (100,000 MNIST samples are 20 objects); the
 * entry's offset and length find a sample inside the raw bytes.
 */
// Just under the store's 4 MiB threshold for loose objects, so chunks go into the commit's pack
// file: one sequential file and one fsync per import, instead of one file and fsync per chunk
// (measured: 8 MiB loose chunks cost ~100 ms more per 100,000 MNIST samples).
export const CHUNK_BYTES = 4 * 1024 * 1024 - 64;
/** A chunk is stored compressed only when the codec shrinks it to at most this share. */
export const MAX_COMPRESSED_SHARE = 0.5;
/** Slices of a chunk compressed first to guess whether compressing all of it can pay. */
const PROBE_SLICES = 4;
const PROBE_SLICE_BYTES = 16 * 1024;
/** A chunk whose probe slices shrink less than this is stored raw without compressing it all. */
const PROBE_GIVE_UP_SHARE = 0.55;

/**
 * The share the codec shrinks a few slices spread over `raw` to (0 when `raw` is too small to
 * probe: it is then simply compressed). A function of the bytes alone, so the same samples
 * always give the same chunk objects (a guess from earlier chunks would depend on timing); it
 * costs ~2 % of compressing the whole chunk.
 */
export function probedShare(codec: CodecImpl, raw: Buffer): number {
  if (raw.byteLength < 2 * PROBE_SLICES * PROBE_SLICE_BYTES) return 0;
  const step = Math.floor((raw.byteLength - PROBE_SLICE_BYTES) / (PROBE_SLICES - 1));
  let stored = 0;
  for (let i = 0; i < PROBE_SLICES; i++)
    stored += codec.compress(raw.subarray(i * step, i * step + PROBE_SLICE_BYTES)).byteLength;
  return stored / (PROBE_SLICES * PROBE_SLICE_BYTES);
}

const MAGIC = Buffer.from('SCK1');
const HEADER = 9;

/** A chunk being filled or sealed; its id is known once it is stored. */
export interface PendingChunk {
  id?: ObjectId;
  prefix?: string;
  rawLength: number;
  storedLength?: number;
}

/** The prefix an entry keeps of a chunk id. */
export function chunkPrefix(id: ObjectId): string {
  return id.slice(0, CHUNK_PREFIX_BYTES * 2);
}

/**
 * Appends samples into chunks and stores each full chunk through `writer`. Compression runs on
 * libuv's thread pool (lz4) while the caller goes on hashing the next samples, so both cores work.
 */
export class ChunkSink {
  private buffer: Buffer;
  private used = 0;
  private current: PendingChunk = { rawLength: 0 };
  private readonly sealing: Promise<void>[] = [];
  /** Chunk buffers free to be filled again (their bytes are framed into stored objects). */
  private readonly free: Buffer[] = [];
  readonly chunks: PendingChunk[] = [];

  constructor(
    private readonly writer: ObjectWriter,
    private readonly codec: Codec,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.buffer = withHeaderRoom(chunkBytes);
  }

  /** The position in `chunks` the chunk being filled will have once sealed. */
  get currentIndex(): number {
    return this.chunks.length;
  }

  /**
   * Copies `source[start, end)` into the current chunk (sealing it first when full) and returns
   * its offset there; `currentIndex` is then the chunk it went to. No view or object per sample.
   */
  append(source: Buffer, start = 0, end = source.byteLength): number {
    const length = end - start;
    if (this.used + length > this.buffer.length && this.used > 0) this.seal();
    if (length > this.buffer.length) this.buffer = withHeaderRoom(length);
    const offset = this.used;
    source.copy(this.buffer, offset, start, end);
    this.used += length;
    return offset;
  }

  /**
   * Copies `count` samples of `sampleBytes` each, back to back in `source` from `start`, with as
   * few copies as chunk boundaries allow; `placed(k, chunkIndex, offset)` says where sample k went.
   */
  appendMany(
    source: Buffer,
    start: number,
    count: number,
    sampleBytes: number,
    placed: (k: number, chunkIndex: number, offset: number) => void,
  ): void {
    let k = 0;
    while (k < count) {
      let room = Math.floor((this.buffer.length - this.used) / sampleBytes);
      if (room === 0) {
        if (this.used > 0) this.seal();
        if (sampleBytes > this.buffer.length) this.buffer = withHeaderRoom(sampleBytes);
        room = Math.floor(this.buffer.length / sampleBytes);
      }
      const m = Math.min(room, count - k);
      const from = start + k * sampleBytes;
      source.copy(this.buffer, this.used, from, from + m * sampleBytes);
      for (let i = 0; i < m; i++) placed(k + i, this.chunks.length, this.used + i * sampleBytes);
      this.used += m * sampleBytes;
      k += m;
    }
  }

  /** Stores the current chunk (if it holds anything) and starts a new one. */
  seal(): void {
    if (this.used === 0) return;
    const chunk = this.current;
    const raw = this.buffer.subarray(0, this.used);
    chunk.rawLength = this.used;
    this.chunks.push(chunk);
    this.sealing.push(this.store(chunk, raw, this.buffer));
    // A buffer whose chunk is framed already is filled again: 4 MiB buffers left to the garbage
    // collector, one per chunk, were most of a bulk import's peak memory.
    this.buffer = this.free.pop() ?? withHeaderRoom(this.chunkBytes);
    this.used = 0;
    this.current = { rawLength: 0 };
  }

  private async store(chunk: PendingChunk, raw: Buffer, whole: Buffer): Promise<void> {
    let codec = this.codec;
    let payload: Uint8Array = raw;
    if (codec !== 'none') {
      // Stored raw unless the codec at least halves the chunk. MNIST-like data shrinks only to
      // ~60 %: compressing it cost 0.16-0.31 s CPU per 100,000 samples, and decompressing it
      // again every read, to save 40 % of disk. Every chunk records its codec, so chunks stored
      // compressed by the older rule (3 % saved was enough) read as before.
      const impl = await loadCodec(codec);
      if (probedShare(impl, raw) > PROBE_GIVE_UP_SHARE) codec = 'none';
      else {
        const compressed = await impl.compressAsync(raw);
        if (compressed.byteLength <= raw.byteLength * MAX_COMPRESSED_SHARE) payload = compressed;
        else codec = 'none';
      }
    }
    // A raw chunk is framed in place, in the room kept before its bytes: no 4 MiB copy.
    const object =
      payload === raw
        ? Buffer.from(raw.buffer, raw.byteOffset - HEADER, HEADER + raw.byteLength)
        : Buffer.allocUnsafe(HEADER + payload.byteLength);
    MAGIC.copy(object, 0);
    object[4] = CODECS.indexOf(codec);
    object.writeUInt32LE(raw.byteLength, 5);
    if (payload !== raw) object.set(payload, HEADER);
    chunk.id = await this.writer.add(object);
    // Reused only now: the writer has copied the object, which may share the buffer's memory.
    if (whole.length === this.chunkBytes) this.free.push(whole);
    chunk.prefix = chunkPrefix(chunk.id);
    chunk.storedLength = object.byteLength;
  }

  /**
   * Waits until at most `inFlight` sealed chunks are still being compressed and stored: a bulk
   * writer calls it between runs so that sealed chunks (raw, compressed and framed copies of
   * 4 MiB each) cannot pile up in memory while the thread pool falls behind.
   */
  async drain(inFlight = 2): Promise<void> {
    const stored = this.stored;
    if (this.sealing.length - stored > inFlight)
      await Promise.all(this.sealing.slice(stored, this.sealing.length - inFlight));
    this.stored = Math.max(stored, this.sealing.length - inFlight);
  }

  /** How many of `sealing` are known to be stored. */
  private stored = 0;

  /** Seals the last chunk and waits until every chunk is stored. */
  async finish(): Promise<PendingChunk[]> {
    this.seal();
    await Promise.all(this.sealing);
    return this.chunks;
  }
}

/**
 * A chunk buffer of `bytes` with `HEADER` bytes of room kept before it (in the same memory), so
 * that a chunk stored raw is framed where it lies.
 */
function withHeaderRoom(bytes: number): Buffer {
  return Buffer.allocUnsafe(HEADER + bytes).subarray(HEADER);
}

/** Decodes a stored chunk object into its raw sample bytes. */
export async function decodeChunk(id: ObjectId, object: Buffer): Promise<Buffer> {
  if (object.byteLength < HEADER || !object.subarray(0, 4).equals(MAGIC) || object[4]! >= CODECS.length) {
    throw new CorruptObjectError(`object ${id} is not a column data chunk`, { id });
  }
  const codec = CODECS[object[4]!]!;
  const rawLength = object.readUInt32LE(5);
  const payload = object.subarray(HEADER);
  const raw = codec === 'none' ? payload : await (await loadCodec(codec)).decompressAsync(payload, rawLength);
  if (raw.byteLength !== rawLength) {
    throw new CorruptObjectError(`chunk ${id} decompressed to ${raw.byteLength} bytes, not ${rawLength}`, {
      id,
    });
  }
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * Decoded chunks, least recently used dropped first beyond `maxBytes`. Reading a chunk goes
 * through `store.get`, which re-hashes it: every sample read is verified, once per chunk load.
 */
export class ChunkCache {
  private readonly chunks = new Map<ObjectId, Buffer>();
  private readonly loading = new Map<ObjectId, Promise<Buffer>>();
  private bytes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly maxBytes = 512 * 1024 * 1024,
  ) {}

  /** The chunk's raw bytes when cached (no await on the hot path), else undefined. */
  peek(id: ObjectId): Buffer | undefined {
    return this.chunks.get(id);
  }

  async get(id: ObjectId): Promise<Buffer> {
    const hit = this.chunks.get(id);
    if (hit) return hit;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.store
        .get(id)
        .then((object) => decodeChunk(id, object))
        .then((raw) => {
          this.loading.delete(id);
          this.remember(id, raw);
          return raw;
        });
      pending.catch(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /**
   * Starts loading chunks a scan will need next (decompression runs on libuv's thread pool, so
   * the next chunks decode on the other core while this one is read), at most `ahead` at a time
   * and never more than half the cache.
   */
  prefetch(ids: readonly ObjectId[], ahead = 2): void {
    let started = 0;
    let bytes = 0;
    for (const id of ids) {
      if (started >= ahead || bytes > this.maxBytes / 2) break;
      if (this.chunks.has(id)) continue;
      void this.get(id).catch(() => undefined);
      started++;
      bytes += CHUNK_BYTES;
    }
  }

  private remember(id: ObjectId, raw: Buffer): void {
    this.chunks.set(id, raw);
    this.bytes += raw.byteLength;
    for (const [old, buf] of this.chunks) {
      if (this.bytes <= this.maxBytes || old === id) break;
      this.chunks.delete(old);
      this.bytes -= buf.byteLength;
    }
  }
}
