import type { ChildRef, MapEntry } from '../repo/merkle/map-node.js';
import type { ObjectId } from '../util/hash.js';
import { chunkKeyOf } from './entry.js';

/** Where a sample's bytes are: a view into an inline entry or a cached chunk. */
export interface Located {
  readonly bytes: Uint8Array;
  readonly shape?: readonly number[];
}

export const MISS = Symbol('not cached');

/** Chunks by the numeric key of their id prefix; a key two chunks share is left out (slow path). */
export function keyChunks(ids: readonly ObjectId[]): Map<number, { id: ObjectId; tail: number }> {
  const out = new Map<number, { id: ObjectId; tail: number }>();
  const shared = new Set<number>();
  for (const id of ids) {
    const prefix = Buffer.from(id.slice(0, 16), 'hex');
    const key = chunkKeyOf(prefix, 0);
    if (out.has(key) && out.get(key)!.id !== id) shared.add(key);
    out.set(key, { id, tail: prefix[6]! + prefix[7]! * 0x100 });
  }
  for (const key of shared) out.delete(key);
  return out;
}

/** The child of an internal node whose range holds `key` (binary search), or undefined. */
export function childFor(children: readonly ChildRef[], key: string): ObjectId | undefined {
  let lo = 0;
  let hi = children.length - 1;
  if (key > children[hi]!.lastKey) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (children[mid]!.lastKey < key) lo = mid + 1;
    else hi = mid;
  }
  return children[lo]!.id;
}

/** Binary search of a leaf's sorted entries. */
export function findEntry(entries: readonly MapEntry[], key: string): Uint8Array | undefined {
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = entries[mid]!.key;
    if (k === key) return entries[mid]!.value;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
