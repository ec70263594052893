import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import { parseNpyHeader } from '../../arrays/formats/npy.js';
import { swapBytes, ITEM_SIZE } from '../../arrays/dtype.js';
import { cutTile } from './cut-tile.js';
import { formatTilePath, intParam, stringParam } from './file-pattern.js';
import type { CreatePlugin } from './plugin.js';

/**
 * One `.npy` per z-slice (`pattern` `{z:04d}.npy`) holding a (y, x) or (y, x, channel) array.
 * Params: `root`, `pattern`, `zOffset`.
 */
export const createNpySlicesPlugin: CreatePlugin = (params, context) => {
  const root = resolve(context.baseDir, stringParam(params, 'root'));
  const pattern = stringParam(params, 'pattern', '{z:04d}.npy');
  const zOffset = intParam(params, 'zOffset', 0);
  return {
    name: 'npy-slices',
    pathOf: (tile) => resolve(root, formatTilePath(pattern, { ...tile, t: 0 }, { z: zOffset })),
    async readTiles(file, tiles) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new InvalidArgumentError(`${file}: cannot read: ${(err as Error).message}`, { file });
      }
      const header = parseNpyHeader(bytes, bytes.byteLength, file);
      if (header.shape.length !== 2 && header.shape.length !== 3) {
        throw new InvalidArgumentError(
          `${file}: a slice must be (y, x) or (y, x, channel), not [${header.shape.join(', ')}]`,
          {
            file,
            shape: header.shape,
          },
        );
      }
      const data = new Uint8Array(bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength));
      if (header.bigEndian) swapBytes(data, ITEM_SIZE[header.dtype]);
      const image = {
        height: header.shape[0]!,
        width: header.shape[1]!,
        channels: header.shape[2] ?? 1,
        dtype: header.dtype,
        data,
      };
      return tiles.map((tile) => cutTile(file, image, tile, context.tile));
    },
  };
};
