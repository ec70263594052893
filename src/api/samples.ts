import { encodeNpyHeader } from '../arrays/formats/npy.js';
import { loadSharp } from '../arrays/image/load-sharp.js';
import type { Sample } from '../columns/column.js';
import type { NdArray } from '../columns/schema.js';
import { InvalidArgumentError } from '../errors/index.js';

const isNdArray = (s: Sample): s is NdArray => typeof s === 'object' && !(s instanceof Uint8Array);

/** One ndarray sample as the bytes of a `.npy` file (numpy loads it as is). */
export function sampleToNpy(sample: Sample, key: string): Buffer {
  if (!isNdArray(sample))
    throw new InvalidArgumentError(`sample ${key} is not an array (bytes or text): ask for json`, { key });
  const data = Buffer.from(sample.data.buffer, sample.data.byteOffset, sample.data.byteLength);
  return Buffer.concat([encodeNpyHeader(sample.dtype, sample.shape), data]);
}

/** True when the sample is a uint8 image: [h, w] or [h, w, c] with c in 1..4. */
export function isImageSample(sample: Sample): boolean {
  if (!isNdArray(sample) || sample.dtype !== 'uint8') return false;
  const [, , c = 1] = sample.shape;
  return (sample.shape.length === 2 || sample.shape.length === 3) && c >= 1 && c <= 4;
}

/** A uint8 image sample as PNG bytes (lossless). */
export async function sampleToPng(sample: Sample, key: string): Promise<Buffer> {
  if (!isImageSample(sample))
    throw new InvalidArgumentError(`sample ${key} is not a uint8 image [h, w] or [h, w, c≤4]: ask for npy`, {
      key,
    });
  const nd = sample as NdArray;
  const [height, width, channels = 1] = nd.shape as [number, number, number?];
  const sharp = await loadSharp();
  let image = sharp(Buffer.from(nd.data.buffer, nd.data.byteOffset, nd.data.byteLength), {
    raw: { width, height, channels: channels as 1 | 2 | 3 | 4 },
  });
  if (channels <= 2) image = image.toColourspace('b-w');
  return image.png().toBuffer();
}

/** A sample as JSON: dtype, shape and (for arrays up to `maxValues` elements) its values. */
export function sampleToJson(
  sample: Sample,
  key: string,
  maxValues = 4096,
): { key: string; dtype: string; shape: number[]; values?: unknown[] } {
  if (typeof sample === 'string') return { key, dtype: 'str', shape: [], values: [sample] };
  if (sample instanceof Uint8Array)
    return {
      key,
      dtype: 'bytes',
      shape: [sample.byteLength],
      values: [Buffer.from(sample).toString('base64')],
    };
  const count = sample.data.length;
  return {
    key,
    dtype: sample.dtype,
    shape: [...sample.shape],
    ...(count <= maxValues
      ? {
          values: Array.from(sample.data as ArrayLike<number | bigint>, (v) =>
            typeof v === 'bigint' ? v.toString() : v,
          ),
        }
      : {}),
  };
}
