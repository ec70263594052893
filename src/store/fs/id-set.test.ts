import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import { IdSet } from './id-set.js';

describe('IdSet', () => {
  it('holds each id once, numbered in order, across blocks and table growth', () => {
    const set = new IdSet();
    const ids = Array.from({ length: 70_000 }, (_, i) => hashBytes(Buffer.from(`object ${i}`)));
    ids.forEach((id, i) => assert.equal(set.add(id), i));
    assert.equal(set.size, 70_000);
    for (const id of ids) assert.equal(set.add(id), -1);
    ids.forEach((id, i) => {
      assert.ok(set.has(id));
      assert.equal(set.idAt(i), id);
    });
    assert.equal(set.has(hashBytes(Buffer.from('never added'))), false);
  });

  it('tells apart ids that share their leading bytes (the slot they hash to)', () => {
    const set = new IdSet();
    const prefix = 'ab'.repeat(16);
    const ids = Array.from(
      { length: 300 },
      (_, i) => prefix + i.toString(16).padStart(64 - prefix.length, '0'),
    );
    for (const id of ids) assert.ok(set.add(id) >= 0);
    for (const id of ids) assert.equal(set.add(id), -1);
    assert.equal(set.has(`${prefix}${'f'.repeat(32)}`), false);
    assert.deepEqual(
      ids.map((_, i) => set.idAt(i)),
      ids,
    );
  });

  it('refuses what is not an object id', () => {
    assert.throws(() => new IdSet().add('xyz'));
    assert.throws(() => new IdSet().has('ab'.repeat(31)));
  });
});
