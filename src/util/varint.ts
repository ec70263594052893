/**
 * Unsigned LEB128 varints, the compact integer encoding of Strata's binary objects (tree nodes).
 * Values up to 2^53 - 1 are exact.
 */
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
    this.reserve(10);
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

  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
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

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }
}
