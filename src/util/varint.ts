/**
 * Unsigned LEB128 varints, the compact integer encoding of Strata's binary objects (tree nodes).
 * Values up to 2^53 - 1 are exact.
 */
/** How many bytes `value` takes as a varint. */
export function varintLength(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 4096) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  uint(value: number): this {
    // Exactly what the value needs, so exactly sized writers never grow.
    this.reserve(varintLength(value));
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.uint(data.byteLength);
    return this.raw(data);
  }

  raw(data: Uint8Array): this {
    this.reserve(data.byteLength);
    this.buffer.set(data, this.length);
    this.length += data.byteLength;
    return this;
  }

  /** A varint byte length, then the UTF-8 bytes, written in place (no temporary buffer). */
  string(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    this.uint(length);
    this.reserve(length);
    this.length += this.buffer.write(value, this.length, length, 'utf8');
    return this;
  }

  /** Raw bytes given as a hex string (object ids), written in place. */
  hex(value: string): this {
    const length = value.length >>> 1;
    this.reserve(length);
    this.length += this.buffer.write(value, this.length, length, 'hex');
    return this;
  }

  /** One raw byte. */
  byte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  /** The buffer itself when it was sized exactly (no copy), else a copy of what was written. */
  finishExact(): Buffer {
    return this.length === this.buffer.length ? this.buffer : this.finish();
  }

  /** The bytes written so far (a copy, safe to keep). */
  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

/** Reads what a ByteWriter wrote; throws RangeError on truncated input. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.buffer.byteLength;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buffer.byteLength - this.offset;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.offset >= this.buffer.byteLength) throw new RangeError('truncated varint');
      const byte = this.buffer[this.offset++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('varint too long');
    }
  }

  raw(length: number): Uint8Array {
    if (this.offset + length > this.buffer.byteLength) throw new RangeError('truncated bytes');
    const out = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.uint());
  }

  /** A varint byte length, then UTF-8 decoded in place (no copy of the bytes first). */
  string(): string {
    const length = this.uint();
    if (this.offset + length > this.buffer.byteLength) throw new RangeError('truncated bytes');
    const start = this.offset;
    this.offset += length;
    this.view ??= Buffer.isBuffer(this.buffer)
      ? this.buffer
      : Buffer.from(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    return this.view.toString('utf8', start, start + length);
  }

  private view: Buffer | undefined;
}
