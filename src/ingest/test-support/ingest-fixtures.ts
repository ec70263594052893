import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGreyImage } from '../../arrays/image/test-support/write-test-images.js';

/** The value of source voxel (x, y, z) in the test stacks. */
export const voxel = (x: number, y: number, z: number, t = 0): number =>
  (x * 7 + y * 13 + z * 29 + t * 3 + ((x * y) >> 3)) & 0xff;

/** One slice of the test stack as bytes (y, x). */
export function slice(width: number, height: number, z: number, t = 0): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = voxel(x, y, z, t);
  return out;
}

/** Writes `depth` PNG slices `root/0000.png`… of `width × height`. */
export async function writePngStack(
  root: string,
  width: number,
  height: number,
  depth: number,
): Promise<void> {
  mkdirSync(root, { recursive: true });
  for (let z = 0; z < depth; z++)
    await writeGreyImage(
      join(root, `${String(z).padStart(4, '0')}.png`),
      width,
      height,
      slice(width, height, z),
    );
}

/** Writes an ingest config file (JSON) and returns its path. */
export function writeConfig(dir: string, config: unknown, name = 'ingest.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
