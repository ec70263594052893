import { resolve } from 'node:path';
import { ConfigError } from '../../errors/index.js';
import { decodeRawImage } from '../../arrays/image/decode-raw-image.js';
import { cutTile } from './cut-tile.js';
import { formatTilePath, intParam, isTiledPattern, stringParam } from './file-pattern.js';
import type { CreatePlugin, IngestPlugin } from './plugin.js';

/** uint8 or uint16: what images decode to. */
export function imageDType(dtype: string, plugin: string): 'uint8' | 'uint16' {
  if (dtype === 'uint8' || dtype === 'uint16') return dtype;
  throw new ConfigError(`plugin '${plugin}' reads images as uint8 or uint16, not ${dtype} (target.dtype)`, {
    key: 'target.dtype',
  });
}

/**
 * A CATMAID-style file image stack: one image per z-slice (`pattern` `{z:04d}.png`), or one image
 * per tile (`{z}/{row}_{col}.png`). PNG, JPEG and TIFF, decoded by sharp. Params: `root` (folder,
 * relative to the config file), `pattern`, `zOffset` (file number of z = 0; default 0).
 */
export const createImageStackPlugin: CreatePlugin = (params, context) => {
  const root = resolve(context.baseDir, stringParam(params, 'root'));
  const pattern = stringParam(params, 'pattern', '{z:04d}.png');
  const zOffset = intParam(params, 'zOffset', 0);
  const dtype = imageDType(context.dtype, 'image-stack');
  const tiled = isTiledPattern(pattern);
  const plugin: IngestPlugin = {
    name: 'image-stack',
    pathOf: (tile) => resolve(root, formatTilePath(pattern, tile, { z: zOffset })),
    async readTiles(file, tiles) {
      const image = await decodeRawImage(file, { dtype });
      // A per-tile file is the tile itself (its shape is checked by the task).
      if (tiled) return tiles.map(() => image);
      return tiles.map((tile) => cutTile(file, image, tile, context.tile));
    },
  };
  return plugin;
};
