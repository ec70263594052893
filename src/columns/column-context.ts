import type { MapNode } from '../repo/merkle/map-node.js';
import type { NodeSource } from '../repo/merkle/read-map.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import type { ChunkCache } from './chunks.js';

/** Shared by the columns of one checkout. */
export interface ColumnContext {
  readonly repo: Repository;
  readonly nodes: NodeSource;
  /** Decoded nodes by id, read synchronously on the hot path of `get`. */
  readonly nodeCache: Map<ObjectId, MapNode>;
  readonly chunks: ChunkCache;
  readonly writable: boolean;
  /** Throws when the checkout is closed. */
  readonly assertOpen: () => void;
}
