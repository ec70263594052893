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
  const node = await source(root);
  if (node.kind === 'leaf') {
    yield* node.entries;
    return;
  }
  for (const child of node.children) yield* iterateMap(source, child.id);
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
 * Nodes are expanded tallest first so that both sides are compared at the same level.
 */
export async function diffMaps(source: NodeSource, a: ObjectId, b: ObjectId): Promise<MapChange[]> {
  if (a === b) return [];
  let left: ObjectId[] = [a];
  let right: ObjectId[] = [b];
  for (;;) {
    const rightSet = new Set(right);
    const leftSet = new Set(left);
    left = left.filter((id) => !rightSet.has(id));
    right = right.filter((id) => !leftSet.has(id));
    const nodes = new Map<ObjectId, MapNode>();
    for (const id of [...left, ...right]) nodes.set(id, await source(id));
    const top = Math.max(0, ...[...nodes.values()].map(nodeLevel));
    if (top === 0) break;
    const expand = (ids: ObjectId[]): ObjectId[] =>
      ids.flatMap((id) => {
        const node = nodes.get(id)!;
        return node.kind === 'internal' && node.level === top ? node.children.map((c) => c.id) : [id];
      });
    left = expand(left);
    right = expand(right);
  }
  const before = new Map<string, Uint8Array>();
  const after = new Map<string, Uint8Array>();
  for (const id of left) for (const e of leafEntries(await source(id))) before.set(e.key, e.value);
  for (const id of right) for (const e of leafEntries(await source(id))) after.set(e.key, e.value);
  const changes: MapChange[] = [];
  for (const [key, value] of before) {
    const other = after.get(key);
    if (!other) changes.push({ key, before: value });
    else if (!Buffer.from(other).equals(value)) changes.push({ key, before: value, after: other });
  }
  for (const [key, value] of after) if (!before.has(key)) changes.push({ key, after: value });
  return changes.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function leafEntries(node: MapNode): readonly MapEntry[] {
  return node.kind === 'leaf' ? node.entries : [];
}
