import type { ObjectId } from '../util/hash.js';

/**
 * Objects on the wire of the remote protocol: each one a 40-byte header (the 32-byte id, then the
 * length as a big-endian 64-bit integer) followed by its bytes, back to back. The receiver hashes
 * every object and refuses one whose bytes do not match its id.
 */
export const FRAME_HEADER_BYTES = 40;

export function frameHeader(id: ObjectId, length: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.write(id, 0, 32, 'hex');
  header.writeBigUInt64BE(BigInt(length), 32);
  return header;
}

export function parseFrameHeader(header: Buffer): { id: ObjectId; length: number } {
  const length = header.readBigUInt64BE(32);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('frame length out of range');
  return { id: header.subarray(0, 32).toString('hex'), length: Number(length) };
}

/**
 * Reads exact byte counts from a stream of chunks (a request or response body) without holding
 * more than one chunk beyond what was asked for.
 */
export class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private readonly source: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** True when the stream ended with nothing left to read. */
  async atEnd(): Promise<boolean> {
    if (this.buffered > 0) return false;
    await this.pull();
    return this.buffered === 0;
  }

  /** Exactly `n` bytes; throws when the stream ends first (a cut connection). */
  async read(n: number): Promise<Buffer> {
    while (this.buffered < n) if (!(await this.pull())) throw truncated();
    const first = this.chunks[0];
    if (first !== undefined && first.byteLength >= n) {
      // Within one chunk: a view, not a copy (it keeps that chunk alive while it is held).
      if (first.byteLength === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const take = Math.min(head.byteLength, n - filled);
      head.copy(out, filled, 0, take);
      filled += take;
      if (take === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.buffered -= n;
    return out;
  }

  /** The next `n` bytes as they arrive, chunk by chunk (bounded memory for big objects). */
  async *stream(n: number): AsyncIterable<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.pull())) throw truncated();
      const head = this.chunks[0]!;
      const take = Math.min(head.byteLength, left);
      if (take === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
      this.buffered -= take;
      left -= take;
      yield head.subarray(0, take);
    }
  }

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    // A fetch body yields Uint8Arrays: viewed as a Buffer, not copied.
    const value = next.value;
    const chunk = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
    return true;
  }
}

function truncated(): Error {
  return Object.assign(new Error('the object stream ended in the middle of an object'), {
    code: 'E_TRUNCATED_STREAM',
  });
}
