import { HashMismatchError, InvalidArgumentError } from '../errors/index.js';
import { hashBytes, isObjectId } from '../util/hash.js';
import type { ObjectId } from '../util/hash.js';

/**
 * Throws `InvalidArgumentError` unless `id` has the shape of an object id. Adapters call it before
 * an id reaches a file path or a query, so a hostile id such as `../../x` never does.
 */
export function assertObjectId(id: ObjectId): void {
  if (typeof id !== 'string' || !isObjectId(id)) {
    throw new InvalidArgumentError(`not an object id: ${JSON.stringify(id)}`, { what: 'object id', id });
  }
}

/** Throws `HashMismatchError` naming `id` and `where` unless `data` hashes to `id`. */
export function checkHash(id: ObjectId, data: Uint8Array, where: string): void {
  const actual = hashBytes(data);
  if (actual !== id) throw hashMismatch(id, actual, where);
}

/** The error for stored bytes that do not hash to their id. */
export function hashMismatch(id: ObjectId, actual: ObjectId, where: string): HashMismatchError {
  return new HashMismatchError(`object ${id} is corrupt: its bytes at ${where} hash to ${actual}`, {
    id,
    actual,
    where,
  });
}
