import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AVERAGE_CHUNK, chunkBoundaries, findChunkEnd, GEAR, MAX_CHUNK, MIN_CHUNK } from './gear-chunker.js';
import { createWasmChunker } from './gear-wasm.js';

/** Deterministic pseudo-random bytes (xorshift32), so the test sees the same cuts every run. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeInt32LE(x, i);
  }
  return out;
}

/** The chunks of `data` as `offset:length` strings, relative to where they sit. */
function chunkSet(data: Buffer): Set<string> {
  const set = new Set<string>();
  let start = 0;
  for (const end of chunkBoundaries(data)) {
    set.add(data.subarray(start, end).toString('base64').slice(0, 24) + `:${end - start}`);
    start = end;
  }
  return set;
}

test('chunks stay within the size bounds and average near the target', () => {
  const data = noise(16 * 1024 * 1024, 7);
  const ends = chunkBoundaries(data);
  let start = 0;
  for (const [i, end] of ends.entries()) {
    const size = end - start;
    assert.ok(size <= MAX_CHUNK, `chunk ${i} is ${size} bytes`);
    if (i < ends.length - 1) assert.ok(size >= MIN_CHUNK, `chunk ${i} is ${size} bytes`);
    start = end;
  }
  assert.equal(start, data.length);
  const average = data.length / ends.length;
  assert.ok(average > AVERAGE_CHUNK * 0.75 && average < AVERAGE_CHUNK * 1.5, `average ${average}`);
  assert.deepEqual(chunkBoundaries(data), ends, 'the same bytes cut the same way');
});

test('cuts are content-defined: an insertion changes only the chunks near it', () => {
  const data = noise(8 * 1024 * 1024, 11);
  const edited = Buffer.concat([
    data.subarray(0, 4_000_000),
    Buffer.from('inserted bytes'),
    data.subarray(4_000_000),
  ]);
  const before = chunkSet(data);
  const after = chunkSet(edited);
  const fresh = [...after].filter((c) => !before.has(c));
  assert.ok(fresh.length >= 1 && fresh.length <= 2, `${fresh.length} new chunks of ${after.size}`);
});

test('a 1 MiB edit in the middle of a 64 MiB file adds only a few chunks', () => {
  const data = noise(64 * 1024 * 1024, 3);
  const edited = Buffer.from(data);
  noise(1024 * 1024, 99).copy(edited, 32 * 1024 * 1024);
  const before = chunkSet(data);
  const fresh = [...chunkSet(edited)].filter((c) => !before.has(c));
  // 1 MiB is ~16 average chunks; the cuts resynchronise within a chunk or two on each side.
  assert.ok(fresh.length <= 16 + 4, `${fresh.length} new chunks`);
  const freshBytes = fresh.reduce((n, c) => n + Number(c.split(':')[1]), 0);
  assert.ok(freshBytes <= 2 * 1024 * 1024, `${freshBytes} new bytes`);
});

test('the WebAssembly chunker cuts exactly where the reference loop does', () => {
  const data = noise(4 * 1024 * 1024, 23);
  // Long runs of one byte never cut: chunks there end at MAX_CHUNK.
  data.fill(0x55, 1_000_000, 1_700_000);
  const chunker = createWasmChunker(data.length);
  data.copy(chunker.buffer);
  for (let start = 0; start < data.length;) {
    const end = chunker.findChunkEnd(start, data.length);
    assert.equal(end, findChunkEnd(data, start, data.length, GEAR), `chunk at ${start}`);
    start = end;
  }
  // Short tails: all of it, whatever is left.
  for (const available of [1, MIN_CHUNK, MIN_CHUNK + 1, AVERAGE_CHUNK + 3, MAX_CHUNK + 1])
    assert.equal(chunker.findChunkEnd(10, 10 + available), findChunkEnd(data, 10, 10 + available, GEAR));
});
