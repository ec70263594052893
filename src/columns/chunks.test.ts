import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CODECS, loadCodec } from '../arrays/codecs/codec.js';
import { MemoryObjectStore } from '../store/memory/memory-object-store.js';
import { hashBytes } from '../util/hash.js';
import { ChunkCache, ChunkSink, decodeChunk } from './chunks.js';

const CHUNK = 256 * 1024;

/** Writes `chunks` chunks made by `fill(i)` through a sink; returns each stored object. */
async function storeChunks(fill: (i: number) => Buffer, chunks: number, options: { drain?: boolean } = {}) {
  const store = new MemoryObjectStore();
  const writer = store.createWriter();
  const sink = new ChunkSink(writer, 'lz4', CHUNK);
  const raws: Buffer[] = [];
  for (let i = 0; i < chunks; i++) {
    raws.push(fill(i));
    sink.append(raws[i]!);
    // As a bulk write does between runs: stored chunks' buffers are then filled again.
    if (options.drain) await sink.drain(1);
  }
  const stored = await sink.finish();
  await writer.commit();
  const objects = await Promise.all(stored.map((c) => store.get(c.id!)));
  return { store, raws, ids: stored.map((c) => c.id!), objects };
}

const codecOf = (object: Buffer) => CODECS[object[4]!];

/**
 * Bytes lz4 shrinks to between half and 97 % of their size: random bytes in `random` of 10
 * positions (3: ~51 %, compressed whole before it is judged; 5: ~70 %, judged by the probe).
 */
function partlyRandom(random = 3): Buffer {
  const noise = randomBytes(CHUNK);
  for (let j = 0; j < CHUNK; j++) if (j % 10 >= random) noise[j] = 0;
  return noise;
}

test('a chunk the codec halves is stored compressed', async () => {
  const { objects, raws, ids } = await storeChunks((i) => Buffer.alloc(CHUNK, i + 1), 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(codecOf(objects[i]!), 'lz4');
    assert.ok(objects[i]!.byteLength < CHUNK / 2);
    assert.deepEqual(await decodeChunk(ids[i]!, objects[i]!), raws[i]);
  }
});

test('a chunk the codec does not halve is stored raw, whatever comes before or after it', async () => {
  // The premise: lz4 saves more than 3 % (the old rule) but less than half on this data.
  const sample = partlyRandom();
  const compressed = (await loadCodec('lz4')).compress(sample);
  assert.ok(
    compressed.byteLength < sample.byteLength * 0.97 && compressed.byteLength > sample.byteLength / 2,
  );
  const kinds = ['partly random', 'zeros', 'mostly random', 'zeros', 'small'];
  const { objects, raws, ids } = await storeChunks((i) => {
    if (kinds[i] === 'zeros') return Buffer.alloc(CHUNK, 0);
    // Too small to probe: compressed whole, then judged by the same rule.
    if (kinds[i] === 'small') return partlyRandom().subarray(0, 1000);
    return partlyRandom(kinds[i] === 'mostly random' ? 5 : 3);
  }, kinds.length);
  for (let i = 0; i < kinds.length; i++) {
    assert.equal(codecOf(objects[i]!), kinds[i] === 'zeros' ? 'lz4' : 'none', `chunk ${i}: ${kinds[i]}`);
    assert.deepEqual(await decodeChunk(ids[i]!, objects[i]!), raws[i]);
  }
});

test('the same bytes always make the same chunk objects', async () => {
  const data = [partlyRandom(), Buffer.alloc(CHUNK, 7), partlyRandom()];
  const a = await storeChunks((i) => data[i]!, 3);
  const b = await storeChunks((i) => data[i]!, 3);
  assert.deepEqual(a.ids, b.ids);
});

test('a chunk stored compressed by the old rule (shrunk by less than half) still reads', async () => {
  // Framed as the sink did before chunks had to halve: 'SCK1', codec byte, raw length, payload.
  const raw = partlyRandom();
  const payload = (await loadCodec('lz4')).compress(raw);
  const object = Buffer.alloc(9 + payload.byteLength);
  object.write('SCK1', 0);
  object[4] = CODECS.indexOf('lz4');
  object.writeUInt32LE(raw.byteLength, 5);
  object.set(payload, 9);
  const store = new MemoryObjectStore();
  const writer = store.createWriter();
  const id = await writer.add(object);
  await writer.commit();
  assert.equal(id, hashBytes(object));
  assert.deepEqual(await new ChunkCache(store).get(id), raw);
});

test('raw chunks framed in their own buffers keep their bytes while later chunks reuse them', async () => {
  // Random chunks are stored raw, framed in place; more of them than buffers in flight.
  const { objects, raws, ids } = await storeChunks(() => randomBytes(CHUNK), 12, { drain: true });
  for (let i = 0; i < raws.length; i++) {
    assert.equal(codecOf(objects[i]!), 'none');
    assert.equal(ids[i], hashBytes(objects[i]!));
    assert.deepEqual(await decodeChunk(ids[i]!, objects[i]!), raws[i], `chunk ${i}`);
  }
});
