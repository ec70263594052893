import { resolve } from 'node:path';
import { decodeRawImage, type RawImage } from '../../arrays/image/decode-raw-image.js';
import { cutTile } from './cut-tile.js';
import { formatTilePath, intParam, stringParam } from './file-pattern.js';
import { imageDType } from './image-stack.js';
import type { CreatePlugin } from './plugin.js';

/**
 * A time series of multipage TIFFs, as calcium imaging records it: one file per z-slice
 * (`pattern` `{z}.tif`), whose pages are consecutive time points. Params: `root`, `pattern`,
 * `zOffset`. Each page a task needs is decoded once.
 */
export const createMultipageTiffPlugin: CreatePlugin = (params, context) => {
  const root = resolve(context.baseDir, stringParam(params, 'root'));
  const pattern = stringParam(params, 'pattern', '{z}.tif');
  const zOffset = intParam(params, 'zOffset', 0);
  const dtype = imageDType(context.dtype, 'multipage-tiff');
  return {
    name: 'multipage-tiff',
    pathOf: (tile) => resolve(root, formatTilePath(pattern, { ...tile, t: 0 }, { z: zOffset })),
    async readTiles(file, tiles) {
      const pages = new Map<number, Promise<RawImage>>();
      const out = [];
      for (const tile of tiles) {
        let page = pages.get(tile.t);
        if (!page) {
          page = decodeRawImage(file, { page: tile.t, dtype });
          pages.set(tile.t, page);
        }
        out.push(cutTile(file, await page, tile, context.tile));
      }
      return out;
    },
  };
};
