import { InvalidArgumentError } from '../errors/index.js';
import { checkCodec, DEFAULT_CODEC, type Codec } from '../arrays/codecs/codec.js';
import { checkDType, ITEM_SIZE, type DType } from '../arrays/dtype.js';
import { checkColumnName } from './schema.js';

/**
 * A volume: a large n-d array over (x, y, z, t, channel) cut into fixed-shape chunks of
 * `chunk = [cx, cy, cz]` voxels (one time point, every channel), each chunk one stored object.
 */
export interface VolumeSchema {
  readonly name: string;
  readonly kind: 'volume';
  readonly dtype: DType;
  /** The volume's size along x, y, z and t (coordinates run from 0 to size - 1). */
  readonly size: readonly [number, number, number, number];
  readonly channels: number;
  /** Chunk shape along x, y, z. */
  readonly chunk: readonly [number, number, number];
  /** What a voxel no chunk holds reads as. */
  readonly fill: number;
  readonly compression: Codec;
}

/** What `createVolume` takes: name, dtype, size and chunk; the rest has defaults. */
export interface VolumeSpec {
  readonly name: string;
  readonly dtype: DType | string;
  /** [x, y, z] or [x, y, z, t] (t defaults to 1). */
  readonly size: readonly number[];
  readonly chunk: readonly number[];
  readonly channels?: number;
  readonly fill?: number;
  readonly compression?: Codec | string;
}

/** Largest chunk in bytes: a chunk is read and written whole, in memory. */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

function positive(value: unknown, what: string, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(
      `volume '${name}': ${what} must be a whole number >= 1, got ${String(value)}`,
      {
        column: name,
        what,
        got: value,
      },
    );
  }
  return value;
}

/** Checks a volume spec and fills in the defaults. */
export function checkVolumeSpec(spec: VolumeSpec): VolumeSchema {
  const name = checkColumnName(spec.name);
  const dtype = checkDType(spec.dtype);
  if (dtype === 'bool' || dtype === 'float16' || dtype === 'int64' || dtype === 'uint64') {
    throw new InvalidArgumentError(`volume '${name}': dtype ${dtype} is not supported for volumes`, {
      column: name,
      dtype,
    });
  }
  if (!Array.isArray(spec.size) || (spec.size.length !== 3 && spec.size.length !== 4)) {
    throw new InvalidArgumentError(`volume '${name}': size must be [x, y, z] or [x, y, z, t]`, {
      column: name,
      what: 'size',
    });
  }
  if (!Array.isArray(spec.chunk) || spec.chunk.length !== 3) {
    throw new InvalidArgumentError(`volume '${name}': chunk must be [x, y, z]`, {
      column: name,
      what: 'chunk',
    });
  }
  const axes = ['x', 'y', 'z', 't'];
  const size = [0, 1, 2, 3].map((i) => positive(spec.size[i] ?? 1, `size ${axes[i]}`, name)) as [
    number,
    number,
    number,
    number,
  ];
  const chunk = [0, 1, 2].map((i) => positive(spec.chunk[i], `chunk ${axes[i]}`, name)) as [
    number,
    number,
    number,
  ];
  const channels = positive(spec.channels ?? 1, 'channels', name);
  const fill = spec.fill ?? 0;
  if (typeof fill !== 'number' || !Number.isFinite(fill)) {
    throw new InvalidArgumentError(`volume '${name}': fill must be a number`, { column: name, what: 'fill' });
  }
  const bytes = chunk[0] * chunk[1] * chunk[2] * channels * ITEM_SIZE[dtype];
  if (bytes > MAX_CHUNK_BYTES) {
    throw new InvalidArgumentError(
      `volume '${name}': a chunk of ${bytes} bytes is larger than ${MAX_CHUNK_BYTES}; choose a smaller chunk`,
      { column: name, what: 'chunk' },
    );
  }
  const compression = checkCodec(spec.compression ?? DEFAULT_CODEC);
  return { name, kind: 'volume', dtype, size, channels, chunk, fill, compression };
}

/** Bytes of one chunk's raw voxels. */
export function chunkByteLength(schema: VolumeSchema): number {
  const [cx, cy, cz] = schema.chunk;
  return cx * cy * cz * schema.channels * ITEM_SIZE[schema.dtype];
}

/** True when two schemas describe the same volume layout (what a merge or a rebase needs). */
export function sameVolumeSchema(a: VolumeSchema, b: VolumeSchema): boolean {
  return (
    a.name === b.name &&
    a.dtype === b.dtype &&
    a.channels === b.channels &&
    a.fill === b.fill &&
    a.compression === b.compression &&
    a.size.every((n, i) => n === b.size[i]) &&
    a.chunk.every((n, i) => n === b.chunk[i])
  );
}
