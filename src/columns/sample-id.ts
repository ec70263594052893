import { createHasher, type ObjectId } from '../util/hash.js';
import type { DType } from '../arrays/dtype.js';

/**
 * A sample's content id covers its dtype and shape as well as its bytes, so equal bytes with a
 * different shape (a [2, 3] and a [3, 2] of the same six numbers) never collide: a bug Hangar had.
 */
export function sampleId(dtype: DType, shape: readonly number[], bytes: Uint8Array): ObjectId {
  const hasher = createHasher();
  hasher.update(Buffer.from(`${dtype}[${shape.join(',')}]\n`));
  hasher.update(bytes);
  return hasher.digest();
}
