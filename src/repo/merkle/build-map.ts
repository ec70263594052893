import { hashBytes, type ObjectId } from '../../util/hash.js';
import { encodeMapNode, type ChildRef, type MapEntry, type MapNode } from './map-node.js';

/**
 * Merkle maps are prolly trees: sorted entries cut into nodes at boundaries chosen by a hash of the
 * key, not by position. Equal key sets therefore give equal trees whatever the edit history, and an
 * edit of k entries changes only the k leaves holding them and their ancestors: O(k log n) new
 * objects per commit, and a diff can skip every subtree whose id is unchanged.
 */
export const TARGET_FANOUT = 64;
/** A forced cut keeps nodes bounded even if the key hashes are unlucky. */
const MAX_NODE_ENTRIES = TARGET_FANOUT * 4;

/** A built node, not yet stored. */
export interface BuiltNode {
  readonly id: ObjectId;
  readonly bytes: Buffer;
}

/** Result of building a map: its root id, entry count and every node (leaves first, root last). */
export interface BuiltMap {
  readonly root: ObjectId;
  readonly count: number;
  readonly nodes: readonly BuiltNode[];
}

/** FNV-1a over the key's UTF-16 code units, salted per level so levels cut independently. */
function boundaryHash(key: string, level: number): number {
  let h = (0x811c9dc5 ^ Math.imul(level + 1, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so that low bits depend on every character.
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

function isBoundary(key: string, level: number): boolean {
  return boundaryHash(key, level) % TARGET_FANOUT === 0;
}

/** Collects encoded nodes and returns each one's id. */
export function createEmitter(): { nodes: BuiltNode[]; emit: (node: MapNode) => ObjectId } {
  const nodes: BuiltNode[] = [];
  return {
    nodes,
    emit(node) {
      const bytes = encodeMapNode(node);
      const id = hashBytes(bytes);
      nodes.push({ id, bytes });
      return id;
    },
  };
}

/** True when a leaf ends after the entry at `index` of a run that started at `start`. */
export function cutsAfter(key: string, level: number, index: number, start: number): boolean {
  return isBoundary(key, level) || index - start + 1 >= MAX_NODE_ENTRIES;
}

/**
 * Builds a map from entries sorted by key (strictly increasing; checked). Pure: nothing is
 * written; the caller stores the nodes the store does not have yet.
 */
export function buildMap(entries: readonly MapEntry[]): BuiltMap {
  const builder = new MapBuilder();
  for (const entry of entries) builder.add(entry);
  return builder.finish();
}

/**
 * Builds a map from entries given one at a time in key order, emitting each leaf as soon as it
 * is cut: the caller need not hold every entry (a first commit of 10^6 files holds one leaf's
 * worth, plus one reference per leaf). Gives exactly the tree `buildMap` gives for the same
 * entries (`buildMap` is this builder).
 */
export class MapBuilder {
  private readonly emitter = createEmitter();
  private readonly leaves: ChildRef[] = [];
  private pending: MapEntry[] = [];
  private lastKey: string | undefined;
  private count = 0;

  /** Adds the next entry; its key must sort after the previous one's. */
  add(entry: MapEntry): void {
    if (this.lastKey !== undefined && !(this.lastKey < entry.key)) {
      throw new Error(`map entries must be sorted and unique: '${this.lastKey}' before '${entry.key}'`);
    }
    this.lastKey = entry.key;
    this.pending.push(entry);
    this.count++;
    if (cutsAfter(entry.key, 0, this.pending.length - 1, 0)) this.cutLeaf();
  }

  /** How many nodes were emitted and not yet taken. */
  get nodesWaiting(): number {
    return this.emitter.nodes.length;
  }

  /** The nodes emitted so far and not yet taken (see `takeNodes`). */
  takeNodes(): BuiltNode[] {
    return this.emitter.nodes.splice(0);
  }

  /** Ends the map: the last leaf and every internal level. */
  finish(): BuiltMap {
    const { emit, nodes } = this.emitter;
    if (this.count === 0) return { root: emit({ kind: 'leaf', entries: [] }), count: 0, nodes };
    if (this.pending.length > 0) this.cutLeaf();
    const top = buildUpperLevels(this.leaves, emit);
    return { root: top.id, count: top.count, nodes };
  }

  private cutLeaf(): void {
    const entries = this.pending;
    this.pending = [];
    this.leaves.push({
      lastKey: entries[entries.length - 1]!.key,
      id: this.emitter.emit({ kind: 'leaf', entries }),
      count: entries.length,
    });
  }
}

/**
 * Builds the internal levels over a row of leaves, up to one root. A pure function of the leaf
 * row, which is what lets `editMap` rebuild them from an edited row and get the same tree.
 */
export function buildUpperLevels(leaves: readonly ChildRef[], emit: (node: MapNode) => ObjectId): ChildRef {
  let level = [...leaves];
  let height = 1;
  while (level.length > 1) {
    const next: ChildRef[] = [];
    let start = 0;
    for (let i = 0; i < level.length; i++) {
      if (i === level.length - 1 || cutsAfter(level[i]!.lastKey, height, i, start)) {
        const children = level.slice(start, i + 1);
        const count = children.reduce((sum, c) => sum + c.count, 0);
        next.push({
          lastKey: children[children.length - 1]!.lastKey,
          id: emit({ kind: 'internal', level: height, children }),
          count,
        });
        start = i + 1;
      }
    }
    // Guard against a level that did not shrink (every child a boundary): cut by size alone.
    level = next.length < level.length ? next : forceCut(level, height, emit);
    height++;
  }
  return level[0]!;
}

function forceCut(level: ChildRef[], height: number, emit: (node: MapNode) => ObjectId): ChildRef[] {
  const next: ChildRef[] = [];
  for (let i = 0; i < level.length; i += MAX_NODE_ENTRIES) {
    const children = level.slice(i, i + MAX_NODE_ENTRIES);
    const count = children.reduce((sum, c) => sum + c.count, 0);
    next.push({
      lastKey: children[children.length - 1]!.lastKey,
      id: emit({ kind: 'internal', level: height, children }),
      count,
    });
  }
  return next;
}
