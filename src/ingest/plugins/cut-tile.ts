import { InvalidArgumentError } from '../../errors/index.js';
import { ITEM_SIZE, type DType } from '../../arrays/dtype.js';
import type { TileArray, TileIndex } from './plugin.js';

/** A whole decoded image (one z-slice or page) that tiles are cut from. */
export interface WholeImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly dtype: DType;
  readonly data: Uint8Array;
}

/**
 * Tile (x, y) of `tileSize` in a whole image, as a window into the image's bytes (no copy: the
 * task copies each tile once, into its chunk). A tile reaching past the image's edge is an error
 * naming the file: the image is smaller than the extent says.
 */
export function cutTile(
  file: string,
  image: WholeImage,
  tile: TileIndex,
  tileSize: readonly [number, number],
): TileArray {
  const [tx, ty] = tileSize;
  const x0 = tile.x * tx;
  const y0 = tile.y * ty;
  if (x0 + tx > image.width || y0 + ty > image.height) {
    throw new InvalidArgumentError(
      `${file}: image of ${image.width} x ${image.height} has no tile at x ${x0}:${x0 + tx}, y ${y0}:${y0 + ty}`,
      { file, width: image.width, height: image.height },
    );
  }
  const voxel = image.channels * ITEM_SIZE[image.dtype];
  const start = (y0 * image.width + x0) * voxel;
  const end = ((y0 + ty - 1) * image.width + x0 + tx) * voxel;
  return {
    width: tx,
    height: ty,
    channels: image.channels,
    dtype: image.dtype,
    data: image.data.subarray(start, end),
    rowStride: image.width,
  };
}
