import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMap, type BuiltMap } from './build-map.js';
import { editMap, type MapEdit } from './edit-map.js';
import { createNodeSource, readAllEntries } from './read-map.js';
import type { MapEntry, MapNode } from './map-node.js';

const v = (s: string) => Buffer.from(s);
const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function sourceOf(...maps: BuiltMap[]) {
  const bytes = new Map<string, Uint8Array>();
  for (const m of maps) for (const n of m.nodes) bytes.set(n.id, n.bytes);
  let reads = 0;
  const source = createNodeSource(async (id) => {
    reads++;
    const b = bytes.get(id);
    if (!b) throw new Error(`missing ${id}`);
    return b;
  });
  return { source, reads: () => reads };
}

function apply(entries: MapEntry[], edits: MapEdit[]): MapEntry[] {
  const map = new Map(entries.map((e) => [e.key, e.value]));
  for (const e of edits) {
    if (e.value) map.set(e.key, e.value);
    else map.delete(e.key);
  }
  return [...map].map(([key, value]) => ({ key, value })).sort(byKey);
}

/** A deterministic pseudo-random sequence, so failures can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

test('editing gives exactly the tree a full build gives, for random edits of every kind', async () => {
  const rnd = random(7);
  for (const n of [0, 1, 5, 64, 300, 5000]) {
    for (let round = 0; round < 6; round++) {
      const base: MapEntry[] = Array.from({ length: n }, (_, i) => ({
        key: `k/${String(i * 3).padStart(6, '0')}`,
        value: v(`v${i}`),
      }));
      const built = buildMap(base);
      // At most as many edits as there are distinct keys to draw from.
      const editCount = Math.min(Math.floor(rnd() * 40) + 1, n * 3 + 30);
      const keys = new Set<string>();
      while (keys.size < editCount) {
        const i = Math.floor(rnd() * (n * 3 + 30));
        keys.add(`k/${String(i).padStart(6, '0')}`);
      }
      const edits: MapEdit[] = [...keys]
        .sort()
        .map((key) => (rnd() < 0.4 ? { key } : { key, value: v(`new-${key}-${round}`) }));
      const { source } = sourceOf(built);
      const edited = await editMap(source, built.root, edits);
      const expected = buildMap(apply(base, edits));
      assert.equal(edited.root, expected.root, `n=${n} round=${round}`);
      assert.equal(edited.count, expected.count);
      const all = sourceOf(built, edited);
      assert.deepEqual(await readAllEntries(all.source, edited.root), apply(base, edits));
    }
  }
});

test('k edits of n entries read and write O(k log n) nodes', async () => {
  const base: MapEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
    key: `d${i % 100}/f${String(i).padStart(6, '0')}`,
    value: v(`${i}`),
  })).sort(byKey);
  const built = buildMap(base);
  const known = new Set(built.nodes.map((x) => x.id));
  const edits: MapEdit[] = [base[17]!, base[9000]!, base[15000]!].map((e) => ({
    key: e.key,
    value: v('changed'),
  }));
  const counter = sourceOf(built);
  const edited = await editMap(counter.source, built.root, edits);
  const fresh = edited.nodes.filter((x) => !known.has(x.id));
  assert.ok(fresh.length <= 3 * 4, `new nodes ${fresh.length}`);
  assert.ok(counter.reads() < 20, `reads ${counter.reads()} of ${built.nodes.length} nodes`);
  assert.equal(edited.root, buildMap(apply(base, edits)).root);
});

test('removing everything leaves the empty map', async () => {
  const base: MapEntry[] = [
    { key: 'a', value: v('1') },
    { key: 'b', value: v('2') },
  ];
  const built = buildMap(base);
  const { source } = sourceOf(built);
  const edited = await editMap(source, built.root, [{ key: 'a' }, { key: 'b' }]);
  assert.equal(edited.root, buildMap([]).root);
  assert.equal(edited.count, 0);
});

test('editMap over a map of 300k leaves: no recursion or call arguments that grow with the map (issue 10)', async () => {
  // A hand-made tree: root (level 3) -> one level-2 node -> 1,200 level-1 nodes -> 256 leaves each.
  // Node ids repeat (the source answers by id), so the test holds 307,200 leaf refs in little memory.
  // The old leaf row spread each subtree's row into push(), which overflows the stack at this size.
  const leaf = { kind: 'leaf' as const, entries: [{ key: 'k', value: v('x') }] };
  const level1 = {
    kind: 'internal' as const,
    level: 1,
    children: Array.from({ length: 256 }, () => ({ lastKey: 'k', id: 'leaf', count: 1 })),
  };
  const level2 = {
    kind: 'internal' as const,
    level: 2,
    children: Array.from({ length: 1200 }, () => ({ lastKey: 'k', id: 'l1', count: 256 })),
  };
  const root = {
    kind: 'internal' as const,
    level: 3,
    children: [{ lastKey: 'k', id: 'l2', count: 307_200 }],
  };
  const nodes: Record<string, MapNode> = { leaf, l1: level1, l2: level2, root };
  const built = await editMap(async (id) => nodes[id]!, 'root', []);
  assert.equal(built.count, 307_200);
});
