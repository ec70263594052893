import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createHasher, type ObjectId } from '../util/hash.js';
import { hashMismatch } from './object-checks.js';

/**
 * Passes the bytes `start..end` (inclusive; default all) of an object's whole byte stream on,
 * hashing every byte of it, and holds the last piece back until the end: only when the hash
 * matches `id` is that piece sent and the stream ended; otherwise the stream errors without it.
 * A reader that counts bytes (an HTTP client told the length) therefore never sees a corrupt
 * object complete — the response is cut short — and memory stays at one chunk.
 */
export function verifyingStream(
  id: ObjectId,
  where: string,
  source: Readable,
  range?: { start: number; end: number },
  onVerified?: () => void,
): Readable {
  const hasher = createHasher();
  let offset = 0;
  let held: Buffer | undefined;
  const verify = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hasher.update(chunk);
      const from = offset;
      offset += chunk.length;
      const piece = range ? sliceInRange(chunk, from, range) : chunk;
      if (piece.length > 0) {
        if (held) this.push(held);
        held = piece;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      const actual = hasher.digest();
      if (actual !== id) return callback(hashMismatch(id, actual, where));
      onVerified?.();
      if (held) this.push(held);
      callback();
    },
  });
  source.on('error', (err) => verify.destroy(err));
  verify.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return source.pipe(verify);
}

/** The part of `chunk` (which starts at byte `from` of the object) inside `range`. */
function sliceInRange(chunk: Buffer, from: number, range: { start: number; end: number }): Buffer {
  const lo = Math.max(range.start - from, 0);
  const hi = Math.min(range.end + 1 - from, chunk.length);
  return hi > lo ? chunk.subarray(lo, hi) : chunk.subarray(0, 0);
}
