/**
 * Content-defined chunking (FastCDC with normalised chunking, over a Gear rolling hash). A cut
 * depends only on the bytes just before it, so inserting or deleting bytes in a big file moves
 * the cuts near the edit only: the chunks before and after it are the same objects as before,
 * and a new version of the file stores only the chunks around the edit.
 *
 * The Gear table and the masks are part of the storage format: changing them changes where every
 * big file is cut (old manifests stay readable, but the next commit would store every chunk anew).
 */

/** No cut before this many bytes into a chunk (FastCDC skips hashing them: the main speed-up). */
export const MIN_CHUNK = 16 * 1024;
/** Chunks average about this size. */
export const AVERAGE_CHUNK = 64 * 1024;
/** A chunk that finds no cut ends here. */
export const MAX_CHUNK = 256 * 1024;

/** 256 fixed pseudo-random 32-bit values (splitmix32 from a fixed seed): never change them. */
export const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  let state = 0x5354_5241; // "STRA"
  for (let i = 0; i < 256; i++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = z ^ (z >>> 16);
  }
  return table;
})();

/**
 * Where the chunk that starts at `start` ends (exclusive). `end` is where the available bytes
 * stop: the caller passes at least `MAX_CHUNK` bytes, or everything up to the end of the content.
 * `gear` is always `GEAR`; it is a parameter, and the sizes are literals, so that the function
 * refers to nothing outside itself and its source can run in a worker thread (see
 * `chunk-cut-worker.ts`).
 *
 * Normalised chunking: a harder mask (18 bits) before the average size and an easier one (14 bits)
 * after it pull chunk sizes towards the average. High bits are used because with a left-shifting
 * hash they depend on the last 32 bytes, while low bits depend on the last few only.
 */
export function findChunkEnd(data: Uint8Array, start: number, end: number, gear: Int32Array): number {
  const available = end - start;
  if (available <= 16384) return end; // MIN_CHUNK
  const normal = start + Math.min(available, 65536); // AVERAGE_CHUNK
  const limit = start + Math.min(available, 262144); // MAX_CHUNK
  let hash = 0;
  let i = start + 16384;
  for (; i < normal; i++) {
    hash = ((hash << 1) + gear[data[i]!]!) | 0;
    if ((hash & -16384) === 0) return i + 1; // top 18 bits clear
  }
  for (; i < limit; i++) {
    hash = ((hash << 1) + gear[data[i]!]!) | 0;
    if ((hash & -262144) === 0) return i + 1; // top 14 bits clear
  }
  return limit;
}

/**
 * Splits `data` (all of the content) into chunks; returns the end offset of each. For tests and
 * small inputs: big files go through `forEachFileChunk`, which streams.
 */
export function chunkBoundaries(data: Uint8Array): number[] {
  const ends: number[] = [];
  let start = 0;
  while (start < data.byteLength) {
    start = findChunkEnd(data, start, data.byteLength, GEAR);
    ends.push(start);
  }
  return ends;
}
