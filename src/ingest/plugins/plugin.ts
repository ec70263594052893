import type { DType } from '../../arrays/dtype.js';

/** A tile's place: its column (x) and row (y) in tile units, its z-slice and time point. */
export interface TileIndex {
  readonly x: number;
  readonly y: number;
  readonly z: number;
  readonly t: number;
}

/** A decoded tile: `height × width × channels` values of `dtype`, row-major, little-endian. */
export interface TileArray {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly dtype: DType;
  /** The voxels, row after row; rows start `rowStride` voxels apart. */
  readonly data: Uint8Array;
  /**
   * Voxels from the start of one row to the next (default `width`): a tile may be a window into a
   * larger decoded image, so cutting it copies nothing. `data` then reaches at least to the end of
   * the tile's last row.
   */
  readonly rowStride?: number;
}

/** What a plugin is told about the job: its tile size and dtype, and where its config file is. */
export interface PluginContext {
  /** [x, y] voxels of one tile. */
  readonly tile: readonly [number, number];
  readonly dtype: DType;
  /** The folder of the config file: relative paths in params resolve from here. */
  readonly baseDir: string;
}

/**
 * The `IngestPlugin` port, as the Boss ingest client splits it: a path processor (tile index →
 * the file that holds it) and a tile processor (file → the tiles it holds). A task asks for every
 * tile of its slab, groups them by file and calls `readTiles` once per file, so no file is
 * decoded twice.
 *
 * A plugin module (a path in `plugin.name`) exports `createPlugin(params, context)` (or a default
 * export of that function) returning an `IngestPlugin`.
 */
export interface IngestPlugin {
  readonly name: string;
  /** Path processor: the absolute path of the file holding `tile`. */
  pathOf(tile: TileIndex): string;
  /** Tile processor: decodes `file` once and returns the tiles asked for, in the same order. */
  readTiles(file: string, tiles: readonly TileIndex[]): Promise<TileArray[]>;
}

/** The factory a plugin module exports. */
export type CreatePlugin = (
  params: Readonly<Record<string, unknown>>,
  context: PluginContext,
) => IngestPlugin | Promise<IngestPlugin>;
