import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMap, type BuiltMap } from './build-map.js';
import { createNodeSource, diffMaps, getMapValue, readAllEntries, readPrefix } from './read-map.js';
import { decodeMapNode, type MapEntry } from './map-node.js';

const value = (s: string) => Buffer.from(s);

function entries(n: number, tag = 'v', prefix = 'dir'): MapEntry[] {
  const out: MapEntry[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      key: `${prefix}${String(i % 100).padStart(3, '0')}/file${String(i).padStart(6, '0')}`,
      value: value(`${tag}${i}`),
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

function sourceOf(...maps: BuiltMap[]) {
  const bytes = new Map<string, Uint8Array>();
  for (const m of maps) for (const n of m.nodes) bytes.set(n.id, n.bytes);
  return createNodeSource(async (id) => {
    const b = bytes.get(id);
    if (!b) throw new Error(`missing ${id}`);
    return b;
  });
}

test('the same entries give the same root whatever else happened', () => {
  const a = buildMap(entries(5000));
  const changed = entries(5000).map((e, i) => (i === 77 ? { ...e, value: value('x') } : e));
  const back = changed.map((e, i) => (i === 77 ? entries(5000)[77]! : e));
  assert.equal(buildMap(back).root, a.root);
  assert.notEqual(buildMap(changed).root, a.root);
});

test('changing k of n entries creates O(k log n) new nodes', () => {
  const n = 20_000;
  const base = buildMap(entries(n));
  const known = new Set(base.nodes.map((x) => x.id));
  const edited = entries(n).map((e, i) => (i % 2000 === 0 ? { ...e, value: value('edited') } : e));
  const next = buildMap(edited);
  const fresh = next.nodes.filter((x) => !known.has(x.id));
  // 10 edits, tree height about log64(20000) + 1 = 3: at most ~10 * 3 new nodes, far below n / 64.
  assert.ok(fresh.length <= 10 * 4, `wrote ${fresh.length} new nodes`);
  assert.ok(base.nodes.length > 300);
});

test('insert and delete also touch only nearby nodes', () => {
  const base = entries(10_000);
  const a = buildMap(base);
  const known = new Set(a.nodes.map((x) => x.id));
  const withInsert = [...base, { key: 'dir050/file000050x', value: value('new') }].sort((x, y) =>
    x.key < y.key ? -1 : 1,
  );
  const b = buildMap(withInsert);
  assert.ok(b.nodes.filter((x) => !known.has(x.id)).length <= 6);
  const withDelete = base.filter((_, i) => i !== 4321);
  const c = buildMap(withDelete);
  assert.ok(c.nodes.filter((x) => !known.has(x.id)).length <= 6);
});

test('reads back every entry, one value by key, and a prefix', async () => {
  const all = entries(3000);
  const m = buildMap(all);
  const source = sourceOf(m);
  assert.deepEqual(
    (await readAllEntries(source, m.root)).map((e) => e.key),
    all.map((e) => e.key),
  );
  assert.deepEqual(await getMapValue(source, m.root, all[1234]!.key), all[1234]!.value);
  assert.equal(await getMapValue(source, m.root, 'nope'), undefined);
  const prefixed = await readPrefix(source, m.root, 'dir042/');
  assert.deepEqual(
    prefixed.map((e) => e.key),
    all.filter((e) => e.key.startsWith('dir042/')).map((e) => e.key),
  );
  assert.equal(prefixed.length, 30);
});

test('diff finds exactly the added, removed and modified entries', async () => {
  const base = entries(8000);
  const next = base
    .filter((_, i) => i % 997 !== 0)
    .map((e, i) => (i % 1500 === 3 ? { ...e, value: value('mod') } : e))
    .concat([
      { key: 'zzz/new', value: value('n') },
      { key: 'aaa/new', value: value('n') },
    ])
    .sort((x, y) => (x.key < y.key ? -1 : 1));
  const a = buildMap(base);
  const b = buildMap(next);
  const changes = await diffMaps(sourceOf(a, b), a.root, b.root);
  const before = new Map(base.map((e) => [e.key, Buffer.from(e.value).toString()]));
  const after = new Map(next.map((e) => [e.key, Buffer.from(e.value).toString()]));
  const expected: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(k) !== after.get(k)) expected.push(k);
  }
  assert.deepEqual(
    changes.map((c) => c.key),
    expected.sort(),
  );
  assert.equal(changes.find((c) => c.key === 'zzz/new')?.before, undefined);
  assert.equal(await diffMaps(sourceOf(a), a.root, a.root).then((x) => x.length), 0);
});

test('empty maps and unsorted input', () => {
  const empty = buildMap([]);
  assert.equal(empty.count, 0);
  assert.equal(buildMap([]).root, empty.root);
  assert.throws(
    () =>
      buildMap([
        { key: 'b', value: value('') },
        { key: 'a', value: value('') },
      ]),
    /sorted/,
  );
});

test('column status is one pass: diffMaps of 20k added entries reads each node once (issue 10)', async () => {
  // The status of 20k staged samples against an empty index: every node of the new map is read
  // exactly once (the old diff read every leaf twice and sorted a map of all changed keys).
  const empty = buildMap([]);
  const full = buildMap(entries(20_000));
  const reads = new Map<string, number>();
  const bytes = new Map<string, Uint8Array>();
  for (const m of [empty, full]) for (const n of m.nodes) bytes.set(n.id, n.bytes);
  const source = async (id: string) => {
    reads.set(id, (reads.get(id) ?? 0) + 1);
    return decodeMapNode(bytes.get(id)!, id);
  };
  const changes = await diffMaps(source, empty.root, full.root);
  assert.equal(changes.length, 20_000);
  assert.deepEqual(
    changes.map((c) => c.key),
    entries(20_000).map((e) => e.key),
  );
  assert.equal(reads.size, full.nodes.length + 1);
  assert.deepEqual([...new Set(reads.values())], [1]);
});
