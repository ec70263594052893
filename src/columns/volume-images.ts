import { InvalidArgumentError } from '../errors/index.js';
import { writeImages } from '../arrays/image/write-images.js';
import type { ImageSample } from '../arrays/formats/array-source.js';
import type { Cutout } from './volume-cutout.js';

/**
 * Writes a cutout as one PNG per z-slice into a new folder `dir` (`z000010.png`, or
 * `t000000_z000010.png` when the volume has time points). Only uint8 volumes of 1 to 4 channels
 * make images. Returns the number of files written.
 */
export async function writeCutoutImages(dir: string, cut: Cutout, z0: number, t0 = 0): Promise<number> {
  const hasT = cut.axes[0] === 't';
  const channels = cut.axes.at(-1) === 'channel' ? cut.shape.at(-1)! : 1;
  if (cut.dtype !== 'uint8' || channels > 4) {
    throw new InvalidArgumentError(
      `a cutout of ${cut.dtype} with ${channels} channels cannot be written as PNG images; use a .npy file`,
      { dtype: cut.dtype, channels },
    );
  }
  const [et, ez, ey, ex] = hasT ? cut.shape : [1, ...cut.shape];
  const slice = ey! * ex! * channels;
  async function* slices(): AsyncGenerator<ImageSample> {
    for (let t = 0; t < et!; t++)
      for (let z = 0; z < ez!; z++) {
        const at = (t * ez! + z) * slice;
        const zName = `z${String(z0 + z).padStart(6, '0')}`;
        yield {
          name: hasT ? `t${String(t0 + t).padStart(6, '0')}_${zName}` : zName,
          shape: channels > 1 ? [ey!, ex!, channels] : [ey!, ex!],
          data: cut.bytes.subarray(at, at + slice),
        };
      }
  }
  return writeImages(dir.replace(/\/+$/, ''), slices());
}
