import { AlreadyExistsError, InvalidArgumentError } from '../errors/index.js';
import { ITEM_SIZE, type TypedArray } from '../arrays/dtype.js';
import type { MapEdit } from '../repo/merkle/edit-map.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectWriter } from '../store/object-store.js';
import { readBranch } from '../repo/refs/refs.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { chunkEntry, chunkKey, copyBox, encodeVolumeChunk, fillVoxels, isAllFill } from './volume-chunk.js';
import { commitVolumeChanges, targetBranch, type VolumeCommit } from './volume-commit.js';
import { checkAxisRange, readVolumeChunk, touchedChunks, type CutoutRegion } from './volume-cutout.js';
import { readVolumes, type VolumeRecord } from './volume-record.js';
import { chunkByteLength, checkVolumeSpec, type VolumeSchema, type VolumeSpec } from './volume-schema.js';

/**
 * Stores one chunk's raw voxels and returns its map edit: a chunk entry, or a removal when every
 * voxel is the fill value (a missing chunk reads as fill, so it need not be stored).
 */
export async function storeVolumeChunk(
  writer: ObjectWriter,
  schema: VolumeSchema,
  key: string,
  raw: Uint8Array,
): Promise<MapEdit> {
  if (raw.byteLength !== chunkByteLength(schema)) {
    throw new InvalidArgumentError(
      `chunk ${key} of '${schema.name}' has ${raw.byteLength} bytes, not ${chunkByteLength(schema)}`,
      {
        column: schema.name,
        key,
      },
    );
  }
  if (isAllFill(schema, raw)) return { key };
  const object = await encodeVolumeChunk(raw, schema.compression);
  const id = await writer.add(object);
  return { key, value: chunkEntry(id, object.byteLength) };
}

/** The volumes on a branch's tip. */
async function volumesOnBranch(repo: Repository, branch: string): Promise<Record<string, VolumeRecord>> {
  const head = (await readBranch(repo, branch)) ?? null;
  return readVolumes(await readCommitTree(repo, head), `branch ${branch}`);
}

/** Creates an empty volume (every voxel the fill value) with one commit on the branch. */
export async function createVolume(
  repo: Repository,
  spec: VolumeSpec,
  options: { branch?: string; message?: string; author?: string } = {},
): Promise<VolumeCommit> {
  const schema = checkVolumeSpec(spec);
  const branch = await targetBranch(repo, options.branch);
  if ((await volumesOnBranch(repo, branch))[schema.name]) {
    throw new AlreadyExistsError(`volume '${schema.name}' exists already on branch '${branch}'`, {
      what: 'column',
      name: schema.name,
    });
  }
  return commitVolumeChanges(repo, {
    branch,
    schema,
    base: null,
    edits: [],
    message: options.message ?? `create volume ${schema.name}`,
    author: options.author,
  });
}

/** Options of `writeVolumeRegion`. */
export interface WriteRegionOptions {
  readonly branch?: string;
  readonly message?: string;
  readonly author?: string;
  /** Where the data starts: x, y, z (and t, default 0). */
  readonly origin: { readonly x: number; readonly y: number; readonly z: number; readonly t?: number };
  /**
   * The data's shape in the cutout's axis order: (z, y, x), with t first when the volume has more
   * than one time point and channel last when it has more than one channel.
   */
  readonly shape: readonly number[];
  readonly data: TypedArray | Uint8Array;
}

/**
 * Writes a box of voxels into a volume and commits it (one commit): the chunks it touches are
 * read, overlaid and stored again; untouched chunks stay as they are.
 */
export async function writeVolumeRegion(
  repo: Repository,
  name: string,
  options: WriteRegionOptions,
): Promise<VolumeCommit> {
  const branch = await targetBranch(repo, options.branch);
  const record = (await volumesOnBranch(repo, branch))[name];
  if (!record)
    throw new InvalidArgumentError(`no volume '${name}' on branch '${branch}'`, { column: name, branch });
  const schema = record.schema;
  const hasT = schema.size[3] > 1;
  const hasC = schema.channels > 1;
  const rank = 3 + (hasT ? 1 : 0) + (hasC ? 1 : 0);
  const shape = options.shape;
  if (shape.length !== rank || (hasC && shape[rank - 1] !== schema.channels)) {
    throw new InvalidArgumentError(
      `volume '${name}': data of shape [${shape.join(', ')}] does not fit; expected (${hasT ? 't, ' : ''}z, y, x${hasC ? `, ${schema.channels}` : ''})`,
      { column: name, shape },
    );
  }
  const [et, ez, ey, ex] = hasT ? shape : [1, ...shape];
  const { x: ox, y: oy, z: oz, t: ot = 0 } = options.origin;
  const region: Required<CutoutRegion> = {
    x: [ox, ox + ex!],
    y: [oy, oy + ey!],
    z: [oz, oz + ez!],
    t: [ot, ot + et!],
  };
  checkAxisRange(schema, 'x', region.x, schema.size[0]);
  checkAxisRange(schema, 'y', region.y, schema.size[1]);
  checkAxisRange(schema, 'z', region.z, schema.size[2]);
  checkAxisRange(schema, 't', region.t, schema.size[3]);
  const voxel = schema.channels * ITEM_SIZE[schema.dtype];
  const data = new Uint8Array(options.data.buffer, options.data.byteOffset, options.data.byteLength);
  const frame = ex! * ey! * ez! * voxel;
  if (data.byteLength !== frame * et!) {
    throw new InvalidArgumentError(
      `volume '${name}': shape [${shape.join(', ')}] needs ${frame * et!} bytes, got ${data.byteLength}`,
      {
        column: name,
      },
    );
  }
  const [cx, cy, cz] = schema.chunk;
  const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 12 });
  const writer = repo.store.createWriter();
  const edits: MapEdit[] = [];
  try {
    for (const coord of touchedChunks(schema, region)) {
      // A chunk never written starts as the fill value.
      const stored = await readVolumeChunk(repo, record, nodes, coord);
      const raw = stored ? new Uint8Array(stored) : filledChunk(schema);
      const x0 = Math.max(region.x[0], coord.x * cx);
      const y0 = Math.max(region.y[0], coord.y * cy);
      const z0 = Math.max(region.z[0], coord.z * cz);
      const x1 = Math.min(region.x[1], (coord.x + 1) * cx);
      const y1 = Math.min(region.y[1], (coord.y + 1) * cy);
      const z1 = Math.min(region.z[1], (coord.z + 1) * cz);
      const t = coord.t - region.t[0];
      copyBox(
        {
          bytes: data.subarray(t * frame, (t + 1) * frame),
          dims: [ex!, ey!, ez!],
          origin: [x0 - ox, y0 - oy, z0 - oz],
        },
        { bytes: raw, dims: [cx, cy, cz], origin: [x0 - coord.x * cx, y0 - coord.y * cy, z0 - coord.z * cz] },
        [x1 - x0, y1 - y0, z1 - z0],
        voxel,
      );
      edits.push(await storeVolumeChunk(writer, schema, chunkKey(coord), raw));
    }
    await writer.commit();
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
  edits.sort((a, b) => (a.key < b.key ? -1 : 1));
  return commitVolumeChanges(repo, {
    branch,
    schema,
    base: record.index,
    edits,
    message: options.message ?? `write volume ${name}`,
    author: options.author,
  });
}

/** A new chunk buffer holding the fill value everywhere. */
export function filledChunk(schema: VolumeSchema): Uint8Array {
  const raw = new Uint8Array(chunkByteLength(schema));
  if (schema.fill !== 0) fillVoxels(schema, raw);
  return raw;
}
