import { CorruptObjectError } from '../errors/index.js';

/** The tag byte of an encoded leaf (see repo/merkle/map-node.ts). */
const LEAF = 0x4c;

/**
 * Where each entry of an encoded index leaf lies in its bytes: for entry i, `at[4i]`..`at[4i+1]`
 * is the key and `at[4i+2]`..`at[4i+3]` the value. One typed array per leaf instead of an object,
 * a string and a view per entry: whole-column scans read 10^5–10^7 entries. Undefined when the
 * bytes are not a leaf (an internal node: the caller decodes it). The bytes were hash-verified
 * when read; a malformed leaf is still refused, never read past.
 */
export function leafLayout(bytes: Uint8Array, id: string): Uint32Array | undefined {
  if (bytes[0] !== LEAF) return undefined;
  let i = 1;
  const varint = (): number => {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (i >= bytes.byteLength) throw malformed(id);
      const byte = bytes[i++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  };
  const count = varint();
  if (count > bytes.byteLength) throw malformed(id);
  const at = new Uint32Array(count * 4);
  for (let n = 0; n < count; n++) {
    const keyLength = varint();
    at[4 * n] = i;
    i += keyLength;
    at[4 * n + 1] = i;
    if (i > bytes.byteLength) throw malformed(id);
    const valueLength = varint();
    at[4 * n + 2] = i;
    i += valueLength;
    at[4 * n + 3] = i;
    if (i > bytes.byteLength) throw malformed(id);
  }
  if (i !== bytes.byteLength) throw malformed(id);
  return at;
}

function malformed(id: string): CorruptObjectError {
  return new CorruptObjectError(`object ${id} is not a valid tree node: malformed leaf`, { id });
}

/**
 * The integer key a canonical key at `bytes[start, end)` stands for (`#` + two-digit length +
 * digits), or -1 when it is a string key.
 */
export function integerKeyAt(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] !== 0x23) return -1;
  let n = 0;
  for (let i = start + 3; i < end; i++) n = n * 10 + bytes[i]! - 0x30;
  return n;
}
