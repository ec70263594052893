import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { buildUpperLevels, createEmitter, cutsAfter, type BuiltMap } from './build-map.js';
import type { ChildRef, MapEntry } from './map-node.js';
import type { NodeSource } from './read-map.js';

/** One change to a map: a new value for `key`, or its removal (`value` undefined). */
export interface MapEdit {
  readonly key: string;
  readonly value?: Uint8Array;
}

/**
 * Every leaf of the map, left to right, read from the internal nodes only (leaves stay unread).
 * Level by level with plain loops: no recursion and no spread of a row into call arguments, whose
 * depth or size would grow with the map (a 10^7-entry map has ~150k leaves).
 */
async function leafRow(source: NodeSource, root: ObjectId): Promise<ChildRef[]> {
  const node = await source(root);
  if (node.kind === 'leaf') {
    const last = node.entries[node.entries.length - 1];
    return [{ lastKey: last?.key ?? '', id: root, count: node.entries.length }];
  }
  let row: ChildRef[] = [...node.children];
  for (let level = node.level; level > 1; level--) {
    const next: ChildRef[] = [];
    for (const ref of row) {
      const child = await source(ref.id);
      if (child.kind !== 'internal')
        throw new CorruptObjectError(`map node ${ref.id} is a leaf above level 0`, { id: ref.id });
      for (const c of child.children) next.push(c);
    }
    row = next;
  }
  return row;
}

/** Told each entry an edit replaces or removes, with the value it had. */
export type OnEdited = (entry: MapEntry) => void;

/** Applies sorted edits to sorted entries. */
function applyEdits(
  entries: readonly MapEntry[],
  edits: readonly MapEdit[],
  onEdited?: OnEdited,
): MapEntry[] {
  const out: MapEntry[] = [];
  let e = 0;
  for (const entry of entries) {
    while (e < edits.length && edits[e]!.key < entry.key) {
      if (edits[e]!.value) out.push({ key: edits[e]!.key, value: edits[e]!.value! });
      e++;
    }
    if (e < edits.length && edits[e]!.key === entry.key) {
      onEdited?.(entry);
      if (edits[e]!.value) out.push({ key: entry.key, value: edits[e]!.value! });
      e++;
    } else {
      out.push(entry);
    }
  }
  for (; e < edits.length; e++)
    if (edits[e]!.value) out.push({ key: edits[e]!.key, value: edits[e]!.value! });
  return out;
}

/**
 * Applies edits to a stored map and returns the new map, reading only the internal nodes and the
 * leaves the edits touch (plus a neighbour when a cut moves), so k edits cost O(k log n) reads and
 * new nodes instead of a rebuild of all n entries. The result is the very tree `buildMap` would
 * build from the edited entries: leaves are re-cut with the same rule from the first touched leaf
 * on until a cut falls where an old one did, and the levels above are rebuilt from the leaf row.
 *
 * `edits` must be sorted by key, one per key. `onEdited` is told each old entry an edit replaced
 * or removed (how the caller keeps totals such as bytes without reading the whole map).
 */
export async function editMap(
  source: NodeSource,
  root: ObjectId,
  edits: readonly MapEdit[],
  onEdited?: OnEdited,
): Promise<BuiltMap> {
  for (let i = 1; i < edits.length; i++) {
    if (!(edits[i - 1]!.key < edits[i]!.key)) throw new Error('map edits must be sorted, one per key');
  }
  const { nodes, emit } = createEmitter();
  const row = await leafRow(source, root);
  // Which leaf each edit falls in: the first whose last key is >= the edit's key, else the last.
  const editsByLeaf = new Map<number, MapEdit[]>();
  let leaf = 0;
  for (const edit of edits) {
    while (leaf < row.length - 1 && row[leaf]!.lastKey < edit.key) leaf++;
    const list = editsByLeaf.get(leaf) ?? [];
    list.push(edit);
    editsByLeaf.set(leaf, list);
  }
  const next: ChildRef[] = [];
  let carry: MapEntry[] = [];
  for (let i = 0; i < row.length; i++) {
    const leafEdits = editsByLeaf.get(i);
    if (!leafEdits && carry.length === 0) {
      next.push(row[i]!);
      continue;
    }
    const current = await source(row[i]!.id);
    const entries = current.kind === 'leaf' ? current.entries : [];
    const run = carry.concat(leafEdits ? applyEdits(entries, leafEdits, onEdited) : entries);
    let start = 0;
    for (let j = 0; j < run.length; j++) {
      if (cutsAfter(run[j]!.key, 0, j, start)) {
        const slice = run.slice(start, j + 1);
        next.push({ lastKey: run[j]!.key, id: emit({ kind: 'leaf', entries: slice }), count: slice.length });
        start = j + 1;
      }
    }
    carry = run.slice(start);
  }
  if (carry.length > 0) {
    next.push({
      lastKey: carry[carry.length - 1]!.key,
      id: emit({ kind: 'leaf', entries: carry }),
      count: carry.length,
    });
  }
  if (next.length === 0) return { root: emit({ kind: 'leaf', entries: [] }), count: 0, nodes };
  const top = buildUpperLevels(next, emit);
  return { root: top.id, count: top.count, nodes };
}
