import { InvalidArgumentError } from '../errors/index.js';
import { ITEM_SIZE } from '../arrays/dtype.js';
import { chunkKey, copyBox, framedChunkBuffer } from '../columns/volume-chunk.js';
import { forEachLimited, readVolumeChunk } from '../columns/volume-cutout.js';
import { filledChunk, storeVolumeChunk } from '../columns/volume-write.js';
import { withLocks } from '../repo/commit/locks.js';
import type { MapEdit } from '../repo/merkle/edit-map.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import type { Repository } from '../repo/repository.js';
import { addTaskRecord, publishTaskRecord } from './ingest-refs.js';
import { slabKey, type IngestJobConfig, type SlabPayload } from './ingest-plan.js';
import type { IngestPlugin, TileArray, TileIndex } from './plugins/plugin.js';

/** Files decoded at once by one task (decode on libvips threads while the last one is copied). */
const FILES_AT_ONCE = 2;

/**
 * Buffers of whole chunks that finished slabs wrote, reused by the next slab of this process: a
 * slab of 16 chunks of 4 MiB allocated (and zeroed) 64 MiB afresh, and collecting those external
 * buffers was the largest share of a worker's garbage collection (1.6 s of 4.7 s CPU for 512 MiB).
 * A whole chunk is overwritten by its tiles, so a reused buffer needs no clearing.
 */
const spareChunks: Uint8Array[] = [];
const MAX_SPARE_BYTES = 256 * 1024 * 1024;

function takeWholeChunk(bytes: number): Uint8Array {
  const i = spareChunks.findIndex((b) => b.byteLength === bytes);
  if (i >= 0) return spareChunks.splice(i, 1)[0]!;
  return framedChunkBuffer(bytes);
}

function giveBack(buffers: readonly Uint8Array[]): void {
  let kept = spareChunks.reduce((sum, b) => sum + b.byteLength, 0);
  for (const buffer of buffers) {
    if (kept + buffer.byteLength > MAX_SPARE_BYTES) return;
    spareChunks.push(buffer);
    kept += buffer.byteLength;
  }
}

function checkTile(job: IngestJobConfig, file: string, index: TileIndex, tile: TileArray): void {
  const [tx, ty] = job.config.tile;
  const { schema } = job;
  if (
    tile.width !== tx ||
    tile.height !== ty ||
    tile.channels !== schema.channels ||
    tile.dtype !== schema.dtype
  ) {
    throw new InvalidArgumentError(
      `${file}: tile (x ${index.x}, y ${index.y}, z ${index.z}, t ${index.t}) is ${tile.width} x ${tile.height} x ${tile.channels} ${tile.dtype}, expected ${tx} x ${ty} x ${schema.channels} ${schema.dtype}`,
      { file, tile: index },
    );
  }
  const voxel = schema.channels * ITEM_SIZE[schema.dtype];
  const stride = tile.rowStride ?? tx;
  // A window into a larger image reaches to the end of its last row; a plain tile is exactly whole.
  const expected = ((ty - 1) * stride + tx) * voxel;
  const fits =
    tile.rowStride === undefined ? tile.data.byteLength === expected : tile.data.byteLength >= expected;
  if (!Number.isSafeInteger(stride) || stride < tx || !fits) {
    throw new InvalidArgumentError(
      `${file}: tile holds ${tile.data.byteLength} bytes${tile.rowStride === undefined ? '' : ` with rows ${stride} voxels apart`}, expected ${expected}`,
      { file, tile: index },
    );
  }
}

/**
 * Runs one slab: decodes every source file of its z-range once, fills the chunks, stores them and
 * records them as the task's record (see ingest-refs.ts). Holds a lock while it writes, so gc
 * (which needs every lock free) never runs between a chunk's store and its record. Chunks only
 * partly inside the extent start from the volume as the job found it (or the fill value).
 */
export async function runSlab(
  repo: Repository,
  jobId: string,
  job: IngestJobConfig,
  plugin: IngestPlugin,
  slab: SlabPayload,
  signal: AbortSignal | undefined,
  lockName: string,
): Promise<{ chunks: number }> {
  const { schema, extent } = job;
  const [cx, cy, cz] = schema.chunk;
  const [tx, ty] = job.config.tile;
  const voxel = schema.channels * ITEM_SIZE[schema.dtype];
  const z0 = Math.max(extent.z[0], slab.zc * cz);
  const z1 = Math.min(extent.z[1], (slab.zc + 1) * cz);
  const key = slabKey(slab);
  return withLocks(repo, [lockName], async () => {
    // The chunks of the slab, keyed by chunk column and row.
    const chunks = new Map<string, { x: number; y: number; raw: Uint8Array }>();
    const wholeChunks: Uint8Array[] = [];
    const base = job.base ? { schema, index: job.base, chunks: 0 } : undefined;
    const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 10 });
    const whole = (lo: number, hi: number, c: number, size: number, i: number) =>
      lo <= i * c && Math.min(size, (i + 1) * c) <= hi;
    for (let y = Math.floor(extent.y[0] / cy); y * cy < extent.y[1]; y++)
      for (let x = Math.floor(extent.x[0] / cx); x * cx < extent.x[1]; x++) {
        const full =
          whole(extent.x[0], extent.x[1], cx, Infinity, x) &&
          whole(extent.y[0], extent.y[1], cy, Infinity, y) &&
          z0 === slab.zc * cz &&
          z1 === (slab.zc + 1) * cz;
        let raw: Uint8Array | undefined;
        if (full) wholeChunks.push((raw = takeWholeChunk(cx * cy * cz * voxel)));
        else {
          const stored = base
            ? await readVolumeChunk(repo, base, nodes, { x, y, z: slab.zc, t: slab.t })
            : undefined;
          raw = stored ? new Uint8Array(stored) : filledChunk(schema);
        }
        chunks.set(`${x}.${y}`, { x, y, raw });
      }
    // Every tile of the slab, grouped by the file holding it: each file is decoded once.
    const files = new Map<string, TileIndex[]>();
    for (let z = z0; z < z1; z++)
      for (let ty0 = Math.floor(extent.y[0] / ty); ty0 * ty < extent.y[1]; ty0++)
        for (let tx0 = Math.floor(extent.x[0] / tx); tx0 * tx < extent.x[1]; tx0++) {
          const index = { x: tx0, y: ty0, z, t: slab.t };
          const file = plugin.pathOf(index);
          let list = files.get(file);
          if (!list) files.set(file, (list = []));
          list.push(index);
        }
    await forEachLimited([...files], FILES_AT_ONCE, async ([file, indexes]) => {
      if (signal?.aborted) throw new InvalidArgumentError('the job was cancelled', {});
      const tiles = await plugin.readTiles(file, indexes);
      if (tiles.length !== indexes.length) {
        throw new InvalidArgumentError(
          `${file}: plugin '${plugin.name}' returned ${tiles.length} tiles for ${indexes.length}`,
          { file },
        );
      }
      indexes.forEach((index, i) => {
        const tile = tiles[i]!;
        checkTile(job, file, index, tile);
        // A tile lies inside one chunk (tile sizes divide chunk sizes); copy its part in the extent.
        const gx0 = Math.max(extent.x[0], index.x * tx);
        const gx1 = Math.min(extent.x[1], (index.x + 1) * tx);
        const gy0 = Math.max(extent.y[0], index.y * ty);
        const gy1 = Math.min(extent.y[1], (index.y + 1) * ty);
        const chunk = chunks.get(`${Math.floor(gx0 / cx)}.${Math.floor(gy0 / cy)}`)!;
        copyBox(
          {
            bytes: tile.data,
            dims: [tile.rowStride ?? tx, ty, 1],
            origin: [gx0 - index.x * tx, gy0 - index.y * ty, 0],
          },
          {
            bytes: chunk.raw,
            dims: [cx, cy, cz],
            origin: [gx0 - chunk.x * cx, gy0 - chunk.y * cy, index.z - slab.zc * cz],
          },
          [gx1 - gx0, gy1 - gy0, 1],
          voxel,
        );
      });
    });
    // One pack for the slab's chunks: one file and one fsync per task, not per chunk.
    const writer = repo.store.createWriter({ packLargeObjects: true });
    try {
      const edits: MapEdit[] = [];
      await forEachLimited([...chunks.values()], 4, async (c) => {
        edits.push(
          await storeVolumeChunk(writer, schema, chunkKey({ x: c.x, y: c.y, z: slab.zc, t: slab.t }), c.raw),
        );
      });
      edits.sort((a, b) => (a.key < b.key ? -1 : 1));
      const record = await addTaskRecord(writer, { jobId, taskKey: key, edits, time: job.createdAt });
      await writer.commit();
      // Every store of a chunk has ended (nothing holds its buffer any more): the next slab may reuse them.
      giveBack(wholeChunks);
      await publishTaskRecord(repo, jobId, key, record);
      return { chunks: edits.length };
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  });
}
