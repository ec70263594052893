import { decodeMapNode, encodeMapNode, type MapEntry, type MapNode } from '../repo/merkle/map-node.js';
import type { ObjectId } from '../util/hash.js';
import type { ColumnContext } from './column-context.js';
import { childFor, findEntry, MISS } from './index-search.js';

/** Decoded index nodes a checkout keeps (a leaf holds ~64 entries: 4M samples' worth). */
const NODE_CACHE_ENTRIES = 1 << 16;

/**
 * The read side of a column's index (a Merkle map from canonical keys to entries): key lookups
 * and in-order walks over the tree rooted at `root`. Decoded nodes live in the checkout's node
 * cache, so a random lookup on a warm checkout costs a few map lookups and no promise.
 */
export class ColumnIndex {
  constructor(
    private readonly context: ColumnContext,
    /** The index root; the column moves it when it folds writes in or replaces its record. */
    public root: ObjectId,
  ) {}

  /** A decoded index node: from the checkout's in-memory cache without a promise when warm. */
  private node(id: ObjectId): MapNode | Promise<MapNode> {
    return this.context.nodeCache.get(id) ?? this.loadNode(id);
  }

  private async loadNode(id: ObjectId): Promise<MapNode> {
    const node = await this.context.nodes(id);
    const cache = this.context.nodeCache;
    if (cache.size >= NODE_CACHE_ENTRIES) cache.clear();
    cache.set(id, node);
    return node;
  }

  /** Reads and caches the nodes not cached yet, in one store call. */
  private async prefetch(ids: readonly ObjectId[]): Promise<void> {
    const cache = this.context.nodeCache;
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length === 0) return;
    const got = await this.context.repo.store.getMany(missing);
    if (cache.size + missing.length >= NODE_CACHE_ENTRIES) cache.clear();
    for (const [id, bytes] of got) cache.set(id, decodeMapNode(bytes, id));
  }

  /** The leaves in key order, each an array of entries. */
  async *leaves(): AsyncGenerator<readonly MapEntry[]> {
    const walk = async function* (self: ColumnIndex, id: ObjectId): AsyncGenerator<readonly MapEntry[]> {
      const node = await self.node(id);
      if (node.kind === 'leaf') {
        yield node.entries;
        return;
      }
      // Children are read in one batch: one index lookup instead of one per node.
      await self.prefetch(node.children.map((c) => c.id));
      for (const child of node.children) yield* walk(self, child.id);
    };
    for await (const entries of walk(this, this.root)) {
      this.context.assertOpen();
      yield entries;
    }
  }

  /**
   * The leaves in key order as their encoded bytes, read in one store call per parent node (the
   * store verifies each one's hash); a root that is itself a leaf is re-encoded.
   */
  async *leafBytes(): AsyncGenerator<{ id: ObjectId; bytes: Uint8Array }> {
    const walk = async function* (
      self: ColumnIndex,
      id: ObjectId,
    ): AsyncGenerator<{ id: ObjectId; bytes: Uint8Array }> {
      const node = await self.node(id);
      if (node.kind === 'leaf') {
        yield { id, bytes: encodeMapNode(node) };
        return;
      }
      if (node.level > 1) {
        for (const child of node.children) yield* walk(self, child.id);
        return;
      }
      const got = await self.context.repo.store.getMany(node.children.map((c) => c.id));
      for (const child of node.children) {
        self.context.assertOpen();
        yield { id: child.id, bytes: got.get(child.id)! };
      }
    };
    yield* walk(this, this.root);
  }

  /** The entry of a canonical key, reading only the nodes on its path. */
  async lookup(canonical: string): Promise<Uint8Array | undefined> {
    const first = this.node(this.root);
    let node = first instanceof Promise ? await first : first;
    while (node.kind === 'internal') {
      const child = childFor(node.children, canonical);
      if (!child) return undefined;
      const next = this.node(child);
      node = next instanceof Promise ? await next : next;
    }
    return findEntry(node.entries, canonical);
  }

  /**
   * The entry of a key when every node on its path is cached (no promise: random gets on a warm
   * checkout cost map lookups only), MISS when a node must be read first.
   */
  lookupCached(canonical: string): Uint8Array | undefined | typeof MISS {
    const cache = this.context.nodeCache;
    let node = cache.get(this.root);
    if (!node) return MISS;
    while (node.kind === 'internal') {
      const child = childFor(node.children, canonical);
      if (!child) return undefined;
      node = cache.get(child);
      if (!node) return MISS;
    }
    return findEntry(node.entries, canonical);
  }

  /** `lookupCached`, reading the missing nodes when there are some. */
  find(canonical: string): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    const cached = this.lookupCached(canonical);
    return cached === MISS ? this.lookup(canonical) : cached;
  }
}
