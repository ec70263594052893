import type { Metadata, OutputInfo } from 'sharp';
import { InvalidArgumentError } from '../../errors/index.js';
import { loadSharp } from './load-sharp.js';

/** What an image's header says it will decode to: uint8 `[height, width, channels]`. */
export interface ImageHeader {
  readonly file: string;
  readonly shape: readonly [number, number, number];
  /** Grey (with or without alpha): decoded to 1 or 2 channels, not expanded to RGB. */
  readonly grey: boolean;
  readonly alpha: boolean;
}

function decodeError(file: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`${file}: cannot decode image: ${why}`, { file, reason: why });
}

/**
 * Reads an image's header (not its pixels) and works out the shape it decodes to: grey 1 channel,
 * grey+alpha 2, colour 3 (CMYK is converted to sRGB), colour+alpha 4.
 */
export async function readImageHeader(file: string): Promise<ImageHeader> {
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(file).metadata();
  } catch (err) {
    throw decodeError(file, (err as Error).message);
  }
  if (!meta.width || !meta.height) throw decodeError(file, 'no width or height in its header');
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  const alpha = meta.hasAlpha === true;
  const channels = grey ? (alpha ? 2 : 1) : alpha ? 4 : 3;
  return { file, shape: [meta.height, meta.width, channels], grey, alpha };
}

/**
 * Decodes an image to raw uint8 pixels `[height, width, channels]`, row-major, channels last.
 * 16-bit images are scaled to 8 bits by libvips (one dtype, uint8, for every image). EXIF
 * orientation is not applied: pixels are as stored.
 */
export async function decodeImage(header: ImageHeader): Promise<Uint8Array> {
  const { file, grey, alpha } = header;
  const [height, width, channels] = header.shape;
  const sharp = await loadSharp();
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = grey && !alpha ? sharp(file).toColourspace('b-w') : sharp(file);
    decoded = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw decodeError(file, (err as Error).message);
  }
  let { data } = decoded;
  const { info } = decoded;
  if (grey && alpha && info.channels === 4) {
    // libvips drops alpha when converting to b-w, so decode as sRGB+alpha and keep grey and alpha.
    const out = Buffer.allocUnsafe(width * height * 2);
    for (let p = 0, q = 0; q < out.length; p += 4, q += 2) {
      out[q] = data[p]!;
      out[q + 1] = data[p + 3]!;
    }
    data = out;
  } else if (info.channels !== channels || info.width !== width || info.height !== height) {
    throw decodeError(
      file,
      `decoded to [${info.height}, ${info.width}, ${info.channels}] where its header says [${height}, ${width}, ${channels}]`,
    );
  }
  if (data.length !== width * height * channels) {
    throw decodeError(file, `decoded to ${data.length} bytes, expected ${width * height * channels}`);
  }
  return data;
}
