import { ConfigError } from '../errors/index.js';
import { ITEM_SIZE } from '../arrays/dtype.js';
import { readVolumes } from '../columns/volume-record.js';
import { checkVolumeSpec, type VolumeSchema } from '../columns/volume-schema.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readBranch } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import type { IngestConfig } from './ingest-config.js';

/** [start, stop) per axis. */
export interface Extent {
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
  readonly z: readonly [number, number];
  readonly t: readonly [number, number];
}

/** One task: all chunks of one z-range of chunks at one time point (a slab). */
export interface SlabPayload {
  readonly t: number;
  /** Index of the chunk row along z. */
  readonly zc: number;
  /** Voxel bytes of the extent inside the slab (for throughput). */
  readonly bytes: number;
}

/** What the job record keeps: the checked config and what was resolved when the job was made. */
export interface IngestJobConfig {
  readonly config: IngestConfig;
  readonly baseDir: string;
  readonly branch: string;
  readonly schema: VolumeSchema;
  /** The volume's chunk map when the job was made (null: the job creates the volume). */
  readonly base: ObjectId | null;
  readonly extent: Extent;
  /** ISO time the job was made: the time of its task records (same bytes from any worker). */
  readonly createdAt: string;
}

export function slabKey(slab: Pick<SlabPayload, 't' | 'zc'>): string {
  return `t${slab.t}-z${slab.zc}`;
}

/**
 * The volume the job writes: the branch's column if it exists (its dtype and chunk must match the
 * config), else a new one of `target.size` (default: up to the extent's stops). An extent outside
 * the volume is a `ConfigError` naming the axis.
 */
export async function resolveTarget(
  repo: Repository,
  config: IngestConfig,
  branch: string,
): Promise<{ schema: VolumeSchema; base: ObjectId | null; extent: Extent }> {
  const head = (await readBranch(repo, branch)) ?? null;
  const existing = readVolumes(await readCommitTree(repo, head), `branch ${branch}`)[config.target.column];
  const extent: Extent = { ...config.extent, t: config.extent.t ?? [0, 1] };
  let schema: VolumeSchema;
  if (existing) {
    schema = existing.schema;
    if (schema.dtype !== config.target.dtype) {
      throw new ConfigError(
        `ingest config key 'target.dtype': column '${schema.name}' holds ${schema.dtype}, not ${config.target.dtype}`,
        {
          key: 'target.dtype',
        },
      );
    }
    if (!schema.chunk.every((n, i) => n === config.target.chunk[i])) {
      throw new ConfigError(
        `ingest config key 'target.chunk': column '${schema.name}' has chunks [${schema.chunk.join(', ')}], not [${config.target.chunk.join(', ')}]`,
        { key: 'target.chunk' },
      );
    }
  } else {
    const size = config.target.size ?? [extent.x[1], extent.y[1], extent.z[1], extent.t[1]];
    try {
      schema = checkVolumeSpec({
        name: config.target.column,
        dtype: config.target.dtype,
        size,
        chunk: config.target.chunk,
        channels: config.target.channels,
        fill: config.target.fill,
      });
    } catch (err) {
      throw new ConfigError(`ingest config key 'target': ${(err as Error).message}`, { key: 'target' });
    }
  }
  const axes = ['x', 'y', 'z', 't'] as const;
  axes.forEach((axis, i) => {
    if (extent[axis][1] > schema.size[i]!) {
      throw new ConfigError(
        `ingest config key 'extent.${axis}': ${extent[axis][0]}:${extent[axis][1]} is outside the volume '${schema.name}' (0:${schema.size[i]})`,
        { key: `extent.${axis}` },
      );
    }
  });
  return { schema, base: existing?.index ?? null, extent };
}

/** The slabs of a job: one per z-row of chunks the extent touches, per time point. */
export function planSlabs(schema: VolumeSchema, extent: Extent): SlabPayload[] {
  const cz = schema.chunk[2];
  const plane =
    (extent.x[1] - extent.x[0]) * (extent.y[1] - extent.y[0]) * schema.channels * ITEM_SIZE[schema.dtype];
  const out: SlabPayload[] = [];
  for (let t = extent.t[0]; t < extent.t[1]; t++) {
    for (let zc = Math.floor(extent.z[0] / cz); zc * cz < extent.z[1]; zc++) {
      const z0 = Math.max(extent.z[0], zc * cz);
      const z1 = Math.min(extent.z[1], (zc + 1) * cz);
      out.push({ t, zc, bytes: plane * (z1 - z0) });
    }
  }
  return out;
}
