import { decodeMapNode, isLeafNode } from '../../repo/merkle/map-node.js';
import { decodeChunkManifest } from '../../store/chunked/index.js';
import { decodeCommit, decodeRootTree } from '../../repo/objects/commit-object.js';
import { decodeFileEntry } from '../../repo/objects/file-entry.js';
import type { ObjectStore } from '../../store/object-store.js';
import type { ObjectId } from '../../util/hash.js';

/** One object to send, with what is known of it before reading it. */
export interface PlannedObject {
  readonly id: ObjectId;
  /** Size when a tree entry recorded it (file contents); otherwise asked of the store. */
  readonly size?: number;
}

/**
 * What a transfer must send, in the order it must land: contents first, then map nodes level by
 * level from the leaves up, then root trees, then commits parents first. Sending a group only
 * after the one before is durable keeps the receiver's invariant: an object it has is an object
 * whose whole subtree it has, which is what lets negotiation skip a subtree on seeing its root.
 */
export interface TransferPlan {
  /** Chunks of big files: they land before the manifests (in `files`) that list them. */
  readonly chunks: PlannedObject[];
  readonly files: PlannedObject[];
  /** `nodes[level]`: map nodes of that level (0: leaves). */
  readonly nodes: PlannedObject[][];
  readonly trees: PlannedObject[];
  /** Parents before children. */
  readonly commits: PlannedObject[];
  /** Objects read while walking (tree structure), for progress. */
  readonly walked: number;
  /** With a `depth`: commits sent whose parents are not (the edge of a shallow history). */
  readonly shallow?: ObjectId[];
}

/** Which file contents a transfer carries. */
export interface DataFilter {
  /** False: commits, trees and nodes only (a `--no-data` clone). */
  readonly data: boolean;
  /** When set, contents of these resources only (`--only`). */
  readonly only?: ReadonlySet<string>;
  /** Contents of these resources are left out (`--skip`). */
  readonly skip?: ReadonlySet<string>;
}

type Kind = 'commit' | 'tree' | 'node' | 'file' | 'manifest' | 'chunk';
interface Item {
  readonly id: ObjectId;
  readonly kind: Kind;
  /** A node whose leaves are not file entries of the store (section maps, reference-only resources). */
  readonly external?: boolean;
  /** A node of a resource whose contents the filter leaves out: walk it, send no contents. */
  readonly dataless?: boolean;
  readonly size?: number;
  /** A commit's distance from the tip it was reached from (0: the tip). */
  readonly generation?: number;
}

const BATCH = 2000;

/**
 * Negotiation: walks the Merkle graph from `tips` in `source`, breadth-first and in batches, and
 * asks `destination` which objects it has; a commit, tree or node it has is not opened, so its
 * whole history or subtree is skipped. The cost is O(objects that differ) reads plus one `hasMany`
 * per level of the walk, not O(repository).
 */
export async function planTransfer(
  source: Pick<ObjectStore, 'getMany'>,
  destination: Pick<ObjectStore, 'hasMany'>,
  tips: readonly ObjectId[],
  filter: DataFilter = { data: true },
  limits: { readonly depth?: number } = {},
): Promise<TransferPlan> {
  const shallow: ObjectId[] = [];
  const plan: Plan = { chunks: [], files: [], nodes: [], trees: [] };
  const commits = new Map<ObjectId, readonly ObjectId[]>();
  const seen = new Set<string>();
  let walked = 0;
  // Structural objects are read while walking: their sizes travel with the plan, so packing them
  // asks the source nothing more (a remote source would otherwise answer one request per object).
  const sizes = new Map<ObjectId, number>();
  let frontier: Item[] = tips.map((id) => ({ id, kind: 'commit' }));
  while (frontier.length > 0) {
    const next: Item[] = [];
    for (let start = 0; start < frontier.length; start += BATCH) {
      const batch = frontier.slice(start, start + BATCH).filter((item) => {
        const key = `${item.kind === 'node' && (item.external || item.dataless) ? 'x' : ''}${item.id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (batch.length === 0) continue;
      const have = await destination.hasMany([...new Set(batch.map((item) => item.id))]);
      const missing = batch.filter((item) => !have.has(item.id));
      // A manifest is a file's content but is also opened: its chunks are sent too.
      const structural = missing.filter((item) => item.kind !== 'file' && item.kind !== 'chunk');
      for (const item of missing) {
        if (item.kind === 'chunk') plan.chunks.push({ id: item.id, size: item.size });
        else if (item.kind === 'file') plan.files.push(item.size === undefined ? { id: item.id } : item);
        else if (item.kind === 'manifest') plan.files.push({ id: item.id });
      }
      if (structural.length === 0) continue;
      const bytes = await source.getMany([...new Set(structural.map((item) => item.id))]);
      walked += bytes.size;
      for (const item of structural) {
        const data = bytes.get(item.id)!;
        sizes.set(item.id, data.byteLength);
        if (item.kind === 'commit' && limits.depth !== undefined) {
          // Beyond `depth` commits from a tip, history stays where it is: this commit is an edge.
          const generation = item.generation ?? 0;
          const commit = decodeCommit(data, item.id);
          const edge = generation + 1 >= limits.depth;
          commits.set(item.id, commit.parents);
          next.push({ id: commit.tree, kind: 'tree' });
          if (edge && commit.parents.length > 0) shallow.push(item.id);
          if (!edge)
            for (const parent of commit.parents)
              next.push({ id: parent, kind: 'commit', generation: generation + 1 });
          continue;
        }
        expand(item, data, next, plan, commits, filter);
      }
    }
    frontier = next;
  }
  const sized = (o: PlannedObject): PlannedObject =>
    o.size === undefined && sizes.has(o.id) ? { id: o.id, size: sizes.get(o.id)! } : o;
  return {
    chunks: plan.chunks,
    // Manifests were opened on the walk: their sizes are known too.
    files: plan.files.map(sized),
    nodes: dedupeLevels(plan.nodes).map((level) => level.map(sized)),
    trees: plan.trees.map(sized),
    commits: parentsFirst(commits).map(sized),
    walked,
    ...(limits.depth !== undefined ? { shallow } : {}),
  };
}

interface Plan {
  chunks: PlannedObject[];
  files: PlannedObject[];
  nodes: PlannedObject[][];
  trees: PlannedObject[];
}

function expand(
  item: Item,
  bytes: Buffer,
  next: Item[],
  plan: Plan,
  commits: Map<ObjectId, readonly ObjectId[]>,
  filter: DataFilter,
): void {
  if (item.kind === 'manifest') {
    for (const chunk of decodeChunkManifest(bytes, item.id).chunks)
      next.push({ id: chunk.id, kind: 'chunk', size: chunk.size });
    return;
  }
  if (item.kind === 'commit') {
    const commit = decodeCommit(bytes, item.id);
    commits.set(item.id, commit.parents);
    next.push({ id: commit.tree, kind: 'tree' });
    for (const parent of commit.parents) next.push({ id: parent, kind: 'commit' });
    return;
  }
  if (item.kind === 'tree') {
    plan.trees.push({ id: item.id });
    const tree = decodeRootTree(bytes, item.id);
    for (const [name, resource] of Object.entries(tree.resources)) {
      const wanted =
        filter.data && (!filter.only || filter.only.has(name)) && !(filter.skip && filter.skip.has(name));
      next.push({
        id: resource.map,
        kind: 'node',
        external: resource.content !== undefined,
        dataless: !wanted,
      });
    }
    for (const [name, section] of Object.entries(tree)) {
      if (name === 'resources' || typeof section !== 'object' || section === null) continue;
      const { refs, maps, trees } = section as { refs?: unknown; maps?: unknown; trees?: unknown };
      // Section data (column chunks) counts as contents: a `--no-data` clone leaves it out.
      if (Array.isArray(refs) && filter.data)
        for (const id of refs) if (typeof id === 'string') next.push({ id, kind: 'file' });
      if (Array.isArray(maps))
        for (const id of maps) if (typeof id === 'string') next.push({ id, kind: 'node', external: true });
      // `trees`: maps whose leaves are file entries of stored objects (volume chunk maps).
      if (Array.isArray(trees))
        for (const id of trees)
          if (typeof id === 'string') next.push({ id, kind: 'node', dataless: !filter.data });
    }
    return;
  }
  // A leaf whose entries are not walked (a column's map, a resource left out) is not decoded.
  if ((item.external || item.dataless) && isLeafNode(bytes, item.id)) {
    (plan.nodes[0] ??= []).push({ id: item.id });
    return;
  }
  const node = decodeMapNode(bytes, item.id);
  const level = node.kind === 'leaf' ? 0 : node.level;
  (plan.nodes[level] ??= []).push({ id: item.id });
  if (node.kind === 'internal') {
    for (const child of node.children)
      next.push({ id: child.id, kind: 'node', external: item.external, dataless: item.dataless });
  } else if (!item.external && !item.dataless) {
    for (const entry of node.entries) {
      const file = decodeFileEntry(entry.value, `node ${item.id}`);
      next.push(
        file.chunked ? { id: file.hash, kind: 'manifest' } : { id: file.hash, kind: 'file', size: file.size },
      );
    }
  }
}

/** A node reached both as external and as a stored map is listed once, at its level. */
function dedupeLevels(levels: PlannedObject[][]): PlannedObject[][] {
  const seen = new Set<ObjectId>();
  return Array.from(levels, (level) =>
    (level ?? []).filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true))),
  );
}

/** Depth-first post-order over the parent links among the commits to send. */
function parentsFirst(commits: Map<ObjectId, readonly ObjectId[]>): PlannedObject[] {
  const order: PlannedObject[] = [];
  const done = new Set<ObjectId>();
  for (const start of commits.keys()) {
    const stack: { id: ObjectId; expanded: boolean }[] = [{ id: start, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (done.has(top.id)) continue;
      if (top.expanded) {
        done.add(top.id);
        order.push({ id: top.id });
        continue;
      }
      stack.push({ id: top.id, expanded: true });
      for (const parent of commits.get(top.id) ?? [])
        if (commits.has(parent) && !done.has(parent)) stack.push({ id: parent, expanded: false });
    }
  }
  return order;
}
