import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteWriter } from '../../util/varint.js';
import { decodeMapNode, encodeMapNode, type MapEntry } from './map-node.js';

/** The leaf layout written field by field: what every encoding of a leaf must equal. */
function reference(entries: readonly MapEntry[]): Buffer {
  const w = new ByteWriter(16);
  w.byte(0x4c).uint(entries.length);
  for (const e of entries) w.string(e.key).bytes(e.value);
  return w.finish();
}

test('leaves encode to the same bytes on the ASCII fast path and the general one, and decode back', () => {
  const big = new Uint8Array(300).fill(7); // a length that needs a two-byte varint
  const ascii: MapEntry[] = [
    { key: '#011', value: Uint8Array.of(1, 2, 3) },
    { key: '#012', value: big },
    { key: 'k'.repeat(200), value: new Uint8Array(0) },
  ];
  const unicode: MapEntry[] = [
    { key: 'a', value: Uint8Array.of(1) },
    { key: 'é/ß', value: Uint8Array.of(2) },
  ];
  for (const entries of [ascii, unicode, []]) {
    const bytes = encodeMapNode({ kind: 'leaf', entries });
    assert.deepEqual(bytes, reference(entries));
    const back = decodeMapNode(bytes, 'test');
    assert.equal(back.kind, 'leaf');
    if (back.kind === 'leaf') {
      assert.deepEqual(
        back.entries.map((e) => [e.key, [...e.value]]),
        entries.map((e) => [e.key, [...e.value]]),
      );
    }
  }
});
