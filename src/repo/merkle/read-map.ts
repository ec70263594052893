import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { decodeMapNode, nodeLevel, type MapEntry, type MapNode } from './map-node.js';

/** Where map nodes come from: the object store, possibly overlaid with nodes built in memory. */
export type NodeSource = (id: ObjectId) => Promise<MapNode>;

/** A node source over a byte getter (e.g. `store.get`), with a small cache of decoded nodes. */
export function createNodeSource(
  getBytes: (id: ObjectId) => Promise<Uint8Array>,
  options: { overlay?: ReadonlyMap<ObjectId, Uint8Array>; cacheSize?: number } = {},
): NodeSource {
  const cache = new Map<ObjectId, MapNode>();
  const cacheSize = options.cacheSize ?? 4096;
  return async (id) => {
    const hit = cache.get(id);
    if (hit) return hit;
    const bytes = options.overlay?.get(id) ?? (await getBytes(id));
    const node = decodeMapNode(bytes, id);
    if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
    cache.set(id, node);
    return node;
  };
}

/** Every entry of the map in key order, reading one node at a time. */
export async function* iterateMap(source: NodeSource, root: ObjectId): AsyncGenerator<MapEntry> {
  for await (const entries of iterateLeaves(source, root)) yield* entries;
}

/**
 * The map's leaves in key order, each as its array of entries: the fast way to walk a big map (one
 * promise per leaf, not per entry). A depth-first walk on an explicit stack, not recursion.
 */
export async function* iterateLeaves(
  source: NodeSource,
  root: ObjectId,
  options: { readMany?: ReadNodes } = {},
): AsyncGenerator<readonly MapEntry[]> {
  const stack: { id: ObjectId; node?: MapNode }[] = [{ id: root }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const node = top.node ?? (await source(top.id));
    if (node.kind === 'leaf') {
      yield node.entries;
      continue;
    }
    // A node's children are read in one batch when the caller can (one store lookup, not 64).
    const ids = node.children.map((c) => c.id);
    const read = options.readMany ? await options.readMany(ids) : undefined;
    for (let i = ids.length - 1; i >= 0; i--) stack.push({ id: ids[i]!, node: read?.get(ids[i]!) });
  }
}

/** All entries of the map, in key order. */
export async function readAllEntries(source: NodeSource, root: ObjectId): Promise<MapEntry[]> {
  const out: MapEntry[] = [];
  for await (const e of iterateMap(source, root)) out.push(e);
  return out;
}

/** One value by key, reading only the nodes on the path to it: O(log n). */
export async function getMapValue(
  source: NodeSource,
  root: ObjectId,
  key: string,
): Promise<Uint8Array | undefined> {
  let node = await source(root);
  while (node.kind === 'internal') {
    const child = node.children.find((c) => key <= c.lastKey);
    if (!child) return undefined;
    node = await source(child.id);
  }
  return node.entries.find((e) => e.key === key)?.value;
}

/** Every entry whose key starts with `prefix`, skipping subtrees that cannot hold one. */
export async function readPrefix(source: NodeSource, root: ObjectId, prefix: string): Promise<MapEntry[]> {
  const out: MapEntry[] = [];
  const walk = async (id: ObjectId, lowerBound: string | null): Promise<void> => {
    const node = await source(id);
    if (node.kind === 'leaf') {
      for (const e of node.entries) if (e.key.startsWith(prefix)) out.push(e);
      return;
    }
    let previousLast = lowerBound;
    for (const child of node.children) {
      // The child covers keys in (previousLast, lastKey]; skip it when that range misses the prefix.
      const endsBefore = child.lastKey < prefix && !child.lastKey.startsWith(prefix);
      const startsAfter = previousLast !== null && previousLast >= prefix && !previousLast.startsWith(prefix);
      if (!endsBefore && !startsAfter) await walk(child.id, previousLast);
      previousLast = child.lastKey;
    }
  };
  await walk(root, null);
  return out;
}

/** One difference between two maps. */
export interface MapChange {
  readonly key: string;
  readonly before?: Uint8Array;
  readonly after?: Uint8Array;
}

/**
 * The entries that differ between two maps, in key order, reading O(k log n) nodes for k changes.
 * A node id present on both sides is an identical subtree holding identical entries, and since a
 * key occurs once per map, dropping such subtrees from both sides leaves the difference unchanged.
 * Nodes are expanded tallest first so that both sides are compared at the same level. Each node is
 * read once, and the remaining leaves (in key order on each side) are merged in one pass: linear
 * in the changes, with no map of keys and no sort.
 */
export async function diffMaps(source: NodeSource, a: ObjectId, b: ObjectId): Promise<MapChange[]> {
  const changes: MapChange[] = [];
  for await (const batch of iterateMapChanges(source, a, b)) for (const c of batch) changes.push(c);
  return changes;
}

/** A subtree still to compare: its root id and level, and the node itself once read. */
interface Pending {
  readonly id: ObjectId;
  readonly level: number;
  readonly node?: MapNode;
}

/**
 * `diffMaps` as a stream: the changes in key order, in batches (one per leaf). Children of a
 * level-L node are at level L-1, so a node is read only to expand it or, for leaves, when the
 * merge reaches it: each node once, in batches through `readMany` when given; memory holds one
 * level of ids, not every changed entry.
 */
export async function* iterateMapChanges(
  source: NodeSource,
  a: ObjectId,
  b: ObjectId,
  options: { readMany?: ReadNodes } = {},
): AsyncGenerator<MapChange[]> {
  const readMany = options.readMany ?? readOneByOne(source);
  if (a === b) return;
  const rootOf = async (id: ObjectId): Promise<Pending> => {
    const node = await source(id);
    return { id, level: nodeLevel(node), node };
  };
  let left: Pending[] = [await rootOf(a)];
  let right: Pending[] = [await rootOf(b)];
  for (;;) {
    const rightIds = new Set(right.map((p) => p.id));
    const leftIds = new Set(left.map((p) => p.id));
    left = left.filter((p) => !rightIds.has(p.id));
    right = right.filter((p) => !leftIds.has(p.id));
    let top = 0;
    for (const p of left) if (p.level > top) top = p.level;
    for (const p of right) if (p.level > top) top = p.level;
    if (top === 0) break;
    left = await expandLevel(readMany, left, top);
    right = await expandLevel(readMany, right, top);
  }
  yield* mergeLeaves(new LeafCursor(readMany, left), new LeafCursor(readMany, right));
}

/** Reads many nodes at once (one store lookup for all of them); see `createReadNodes`. */
export type ReadNodes = (ids: readonly ObjectId[]) => Promise<ReadonlyMap<ObjectId, MapNode>>;

/** A `ReadNodes` over a batch byte getter such as `store.getMany`. */
export function createReadNodes(
  getMany: (ids: readonly ObjectId[]) => Promise<ReadonlyMap<ObjectId, Uint8Array>>,
): ReadNodes {
  return async (ids) => {
    const out = new Map<ObjectId, MapNode>();
    for (const [id, bytes] of await getMany(ids)) out.set(id, decodeMapNode(bytes, id));
    return out;
  };
}

function readOneByOne(source: NodeSource): ReadNodes {
  return async (ids) => {
    const out = new Map<ObjectId, MapNode>();
    for (const id of ids) out.set(id, await source(id));
    return out;
  };
}

/** Nodes read per batch while diffing. */
const READ_BATCH = 512;

/** The nodes of `row` not read yet, from `from` on (at most READ_BATCH), read in one batch. */
async function readAhead(readMany: ReadNodes, row: Pending[], from: number, until: number): Promise<void> {
  const ids: ObjectId[] = [];
  for (let i = from; i < until && ids.length < READ_BATCH; i++) if (!row[i]!.node) ids.push(row[i]!.id);
  if (ids.length === 0) return;
  const got = await readMany(ids);
  for (let i = from; i < until; i++) {
    const p = row[i]!;
    if (p.node) continue;
    const node = got.get(p.id);
    if (!node) break;
    row[i] = { ...p, node };
  }
}

/** Replaces the subtrees of level `top` by their children, keeping key order. */
async function expandLevel(readMany: ReadNodes, row: Pending[], top: number): Promise<Pending[]> {
  const out: Pending[] = [];
  for (let i = 0; i < row.length; i++) {
    const p = row[i]!;
    if (p.level !== top) {
      out.push(p);
      continue;
    }
    if (!p.node) await readAhead(readMany, row, i, row.length);
    const node = row[i]!.node;
    if (!node || node.kind !== 'internal') {
      throw new CorruptObjectError(`map node ${p.id} is not an internal node of level ${top}`, { id: p.id });
    }
    for (const child of node.children) out.push({ id: child.id, level: top - 1 });
  }
  return out;
}

/** Reads a key-ordered row of leaves in batches, as the merge reaches them. */
class LeafCursor {
  private next = 0;
  entries: readonly MapEntry[] = [];
  at = 0;

  constructor(
    private readonly readMany: ReadNodes,
    private readonly row: Pending[],
  ) {}

  /** False when every leaf is consumed; else `entries[at]` is the next entry. */
  async ready(): Promise<boolean> {
    while (this.at >= this.entries.length) {
      if (this.next >= this.row.length) return false;
      if (!this.row[this.next]!.node) await readAhead(this.readMany, this.row, this.next, this.row.length);
      const p = this.row[this.next]!;
      if (!p.node) throw new CorruptObjectError(`map node ${p.id} is missing`, { id: p.id });
      // Leaves already merged are dropped: memory holds a batch of leaves, not the whole row.
      this.row[this.next++] = { id: p.id, level: p.level };
      this.entries = p.node.kind === 'leaf' ? p.node.entries : [];
      this.at = 0;
    }
    return true;
  }
}

/**
 * Merge-join of two key-ordered rows of leaves: what only one side has, or both have unequal.
 * Synchronous within a leaf (no promise per entry); yields the changes found per leaf read.
 */
async function* mergeLeaves(l: LeafCursor, r: LeafCursor): AsyncGenerator<MapChange[]> {
  let out: MapChange[] = [];
  for (;;) {
    const hasL = await l.ready();
    const hasR = await r.ready();
    if (!hasL && !hasR) break;
    if (out.length > 0) {
      yield out;
      out = [];
    }
    const le = l.entries;
    const re = r.entries;
    while ((!hasL || l.at < le.length) && (!hasR || r.at < re.length)) {
      const x = hasL ? le[l.at]! : undefined;
      const y = hasR ? re[r.at]! : undefined;
      if (x && (!y || x.key < y.key)) {
        out.push({ key: x.key, before: x.value });
        l.at++;
      } else if (y && (!x || y.key < x.key)) {
        out.push({ key: y.key, after: y.value });
        r.at++;
      } else {
        const before = x!.value;
        const after = y!.value;
        if (!Buffer.from(before.buffer, before.byteOffset, before.byteLength).equals(after))
          out.push({ key: x!.key, before, after });
        l.at++;
        r.at++;
      }
    }
  }
  if (out.length > 0) yield out;
}
