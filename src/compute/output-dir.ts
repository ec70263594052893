import type { ComputeKey } from './store/compute-store.js';
import { hashBytes } from '../util/hash.js';

/** The folder under the repository root that holds every collection's output folders. */
export const COMPUTED_DIR = 'computed';

const UNSAFE = /[^A-Za-z0-9._-]+/g;
const SLUG_MAX = 40;

/**
 * A file-name-safe rendering of an id, for humans only (the hash makes the folder unique): runs of
 * other characters become `_`, leading dots and dashes are dropped (no `..`, no hidden or
 * option-like names), at most 40 characters, `_` when nothing is left.
 */
export function slugOf(id: string): string {
  const slug = id
    .replace(UNSAFE, '_')
    .replace(/^[.-]+/, '')
    .slice(0, SLUG_MAX);
  return slug === '' ? '_' : slug;
}

/** The collection's folder, relative to the repository root with `/` separators. */
export function collectionDir(collection: string): string {
  return `${COMPUTED_DIR}/${collection}`;
}

/**
 * The output folder of one resource, relative to the repository root with `/` separators:
 * `computed/<collection>/<slug>-<hash12>` where hash12 is the start of the BLAKE3 hash of the key
 * `[collection, id, argsHash]`. The raw id never appears in a path.
 */
export function outputDirOf(key: ComputeKey): string {
  const hash = hashBytes(Buffer.from(JSON.stringify([key.collection, key.id, key.argsHash]), 'utf8'));
  return `${collectionDir(key.collection)}/${slugOf(key.id)}-${hash.slice(0, 12)}`;
}
