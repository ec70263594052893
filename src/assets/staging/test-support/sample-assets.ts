import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StagingAsset } from '../staging-plan.js';

/**
 * Writes `count` sequence assets of `framesPer` files each under `ingress` and returns them as
 * staging input (ids are stable strings, metadata like `update`'s).
 */
export function writeSampleAssets(ingress: string, count = 2, framesPer = 3, size = 1000): StagingAsset[] {
  const assets: StagingAsset[] = [];
  for (let a = 0; a < count; a++) {
    const name = `p-cat001_s-seq001_d-run${a}_v001`;
    const dir = `cat001/seq001/${name}`;
    const files = [];
    for (let f = 1; f <= framesPer; f++) {
      const path = `${dir}/${name}_f${String(f).padStart(4, '0')}.png`;
      const abs = join(ingress, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, Buffer.alloc(size, `${a}-${f}|`));
      files.push({ id: `file-${a}-${f}`, path, metadata: { frame: f, project: 'cat001' } });
    }
    assets.push({
      id: `asset-${a}`,
      path: dir,
      metadata: { project: 'cat001', descriptor: `run${a}` },
      files,
    });
  }
  return assets;
}
