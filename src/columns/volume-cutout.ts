import { InvalidArgumentError } from '../errors/index.js';
import { ITEM_SIZE, viewAs, type DType, type TypedArray } from '../arrays/dtype.js';
import { createNodeSource, getMapValue, type NodeSource } from '../repo/merkle/read-map.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import {
  chunkIdOf,
  chunkKey,
  copyBox,
  decodeVolumeChunk,
  fillVoxels,
  type ChunkCoord,
} from './volume-chunk.js';
import { volumeAt, type VolumeRecord } from './volume-record.js';
import type { VolumeSchema } from './volume-schema.js';

/** A half-open range [start, stop) along one axis. */
export type AxisRange = readonly [number, number];

/** The region of a cutout; t defaults to [0, 1). */
export interface CutoutRegion {
  readonly x: AxisRange;
  readonly y: AxisRange;
  readonly z: AxisRange;
  readonly t?: AxisRange;
}

/** What a cutout returns: voxels in C order over `axes` (z, y, x; t first and channel last when present). */
export interface Cutout {
  readonly dtype: DType;
  readonly axes: readonly string[];
  readonly shape: readonly number[];
  /** The voxels as a typed array of the dtype, over `bytes`. */
  readonly data: TypedArray;
  readonly bytes: Uint8Array;
}

/** Options of `readCutout`. */
export interface CutoutOptions {
  /** A branch, tag or commit (default HEAD). */
  readonly revision?: string;
  /** Chunks read at once (default 8). */
  readonly concurrency?: number;
  /** Decoded chunks kept between calls (see `createVolumeChunkCache`). */
  readonly cache?: VolumeChunkCache;
}

/** Decoded chunks by id, least recently used dropped first beyond `maxBytes`. */
export interface VolumeChunkCache {
  get(id: ObjectId): Buffer | undefined;
  set(id: ObjectId, raw: Buffer): void;
}

/** A chunk cache holding up to `maxBytes` of decoded chunks (default 256 MiB). */
export function createVolumeChunkCache(maxBytes = 256 * 1024 * 1024): VolumeChunkCache {
  const chunks = new Map<ObjectId, Buffer>();
  let bytes = 0;
  return {
    get(id) {
      const hit = chunks.get(id);
      if (hit) {
        chunks.delete(id);
        chunks.set(id, hit);
      }
      return hit;
    },
    set(id, raw) {
      if (chunks.has(id)) return;
      chunks.set(id, raw);
      bytes += raw.byteLength;
      for (const [old, buf] of chunks) {
        if (bytes <= maxBytes || old === id) break;
        chunks.delete(old);
        bytes -= buf.byteLength;
      }
    },
  };
}

/** Checks a range along an axis of a volume: whole numbers, start < stop, inside [0, size]. */
export function checkAxisRange(schema: VolumeSchema, axis: string, range: AxisRange, size: number): void {
  const [start, stop] = range;
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(stop) ||
    start < 0 ||
    stop <= start ||
    stop > size
  ) {
    throw new InvalidArgumentError(
      `column '${schema.name}': ${axis} range ${start}:${stop} is not inside the volume's 0:${size}`,
      { column: schema.name, axis, range: [start, stop], size },
    );
  }
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** The chunks a box of voxels touches (along x, y, z) at time point t. */
export function touchedChunks(schema: VolumeSchema, region: Required<CutoutRegion>): ChunkCoord[] {
  const [cx, cy, cz] = schema.chunk;
  const out: ChunkCoord[] = [];
  for (let t = region.t[0]; t < region.t[1]; t++)
    for (let z = Math.floor(region.z[0] / cz); z * cz < region.z[1]; z++)
      for (let y = Math.floor(region.y[0] / cy); y * cy < region.y[1]; y++)
        for (let x = Math.floor(region.x[0] / cx); x * cx < region.x[1]; x++) out.push({ x, y, z, t });
  return out;
}

/** The id of the chunk stored at `coord`, or undefined when there is none (fill value). */
export async function chunkIdAt(
  record: VolumeRecord,
  nodes: NodeSource,
  coord: ChunkCoord,
): Promise<ObjectId | undefined> {
  const key = chunkKey(coord);
  const value = await getMapValue(nodes, record.index, key);
  return value ? chunkIdOf(value, `volume ${record.schema.name} chunk ${key}`) : undefined;
}

/** A stored chunk's raw voxels (verified against its id), through the cache when given. */
export async function loadVolumeChunk(
  repo: Repository,
  schema: VolumeSchema,
  id: ObjectId,
  cache?: VolumeChunkCache,
): Promise<Buffer> {
  const hit = cache?.get(id);
  if (hit) return hit;
  const raw = await decodeVolumeChunk(id, await repo.store.get(id), schema);
  cache?.set(id, raw);
  return raw;
}

/** Reads one chunk's raw voxels, or undefined when the volume has none there (fill value). */
export async function readVolumeChunk(
  repo: Repository,
  record: VolumeRecord,
  nodes: NodeSource,
  coord: ChunkCoord,
  cache?: VolumeChunkCache,
): Promise<Buffer | undefined> {
  const id = await chunkIdAt(record, nodes, coord);
  return id ? loadVolumeChunk(repo, record.schema, id, cache) : undefined;
}

/**
 * Reads a region of a volume: only the chunks it touches, several at a time, each verified
 * against its id; voxels of chunks never written are the fill value.
 *
 * @example const { data, shape } = await readCutout(repo, 'em', { x: [0, 512], y: [0, 512], z: [10, 26] });
 */
export async function readCutout(
  repo: Repository,
  name: string,
  region: CutoutRegion,
  options: CutoutOptions = {},
): Promise<Cutout> {
  const record = await volumeAt(repo, name, options.revision);
  return readRecordCutout(repo, record, region, options);
}

/** `readCutout` on a volume record already at hand. */
export async function readRecordCutout(
  repo: Repository,
  record: VolumeRecord,
  region: CutoutRegion,
  options: Omit<CutoutOptions, 'revision'> = {},
): Promise<Cutout> {
  const schema = record.schema;
  const full: Required<CutoutRegion> = { ...region, t: region.t ?? [0, 1] };
  const [sx, sy, sz, st] = schema.size;
  checkAxisRange(schema, 'x', full.x, sx);
  checkAxisRange(schema, 'y', full.y, sy);
  checkAxisRange(schema, 'z', full.z, sz);
  checkAxisRange(schema, 't', full.t, st);
  const ex = full.x[1] - full.x[0];
  const ey = full.y[1] - full.y[0];
  const ez = full.z[1] - full.z[0];
  const et = full.t[1] - full.t[0];
  const voxel = schema.channels * ITEM_SIZE[schema.dtype];
  const frame = ex * ey * ez * voxel;
  const bytes = new Uint8Array(frame * et);
  if (schema.fill !== 0) fillVoxels(schema, bytes);
  const [cx, cy, cz] = schema.chunk;
  const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 12 });
  // Chunk ids first, one lookup after the other so each index node is read once; then the chunks,
  // several at a time.
  const found: { coord: ChunkCoord; id: ObjectId }[] = [];
  for (const coord of touchedChunks(schema, full)) {
    const id = await chunkIdAt(record, nodes, coord);
    if (id) found.push({ coord, id });
  }
  // A partial clone fetches the chunks it lacks in one batch, not one request per chunk.
  await repo.store.prefetch?.(found.filter((f) => !options.cache?.get(f.id)).map((f) => f.id));
  await forEachLimited(found, options.concurrency ?? 8, async ({ coord, id }) => {
    const raw = await loadVolumeChunk(repo, schema, id, options.cache);
    const x0 = Math.max(full.x[0], coord.x * cx);
    const y0 = Math.max(full.y[0], coord.y * cy);
    const z0 = Math.max(full.z[0], coord.z * cz);
    const x1 = Math.min(full.x[1], (coord.x + 1) * cx);
    const y1 = Math.min(full.y[1], (coord.y + 1) * cy);
    const z1 = Math.min(full.z[1], (coord.z + 1) * cz);
    const t = coord.t - full.t[0];
    copyBox(
      { bytes: raw, dims: [cx, cy, cz], origin: [x0 - coord.x * cx, y0 - coord.y * cy, z0 - coord.z * cz] },
      {
        bytes: bytes.subarray(t * frame, (t + 1) * frame),
        dims: [ex, ey, ez],
        origin: [x0 - full.x[0], y0 - full.y[0], z0 - full.z[0]],
      },
      [x1 - x0, y1 - y0, z1 - z0],
      voxel,
    );
  });
  const axes: string[] = [];
  const shape: number[] = [];
  if (st > 1) {
    axes.push('t');
    shape.push(et);
  }
  axes.push('z', 'y', 'x');
  shape.push(ez, ey, ex);
  if (schema.channels > 1) {
    axes.push('channel');
    shape.push(schema.channels);
  }
  return { dtype: schema.dtype, axes, shape, data: viewAs(schema.dtype, bytes), bytes };
}
