import { InvalidArgumentError } from '../../errors/index.js';
import { loadSharp } from './load-sharp.js';

/** Decoded pixels: row-major, channels last, little-endian for uint16. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly dtype: 'uint8' | 'uint16';
  readonly data: Uint8Array;
}

/**
 * Decodes one image (PNG, JPEG, TIFF; `page` picks a page of a multipage TIFF) to raw pixels of
 * `dtype` (uint8 default; uint16 keeps 16-bit images exact). Grey images stay one channel. A
 * missing, truncated or corrupt file is an `InvalidArgumentError` naming the file and the reason.
 */
export async function decodeRawImage(
  file: string,
  options: { page?: number; dtype?: 'uint8' | 'uint16' } = {},
): Promise<RawImage> {
  const sharp = await loadSharp();
  const dtype = options.dtype ?? 'uint8';
  try {
    const image = sharp(file, { page: options.page ?? 0, failOn: 'truncated' });
    const meta = await image.metadata();
    if (options.page !== undefined && (meta.pages ?? 1) <= options.page) {
      throw new Error(`it has ${meta.pages ?? 1} pages, not ${options.page + 1}`);
    }
    const grey = meta.space === 'b-w' || meta.space === 'grey16' || meta.channels === 1;
    const pipeline =
      grey && !meta.hasAlpha ? image.toColourspace(dtype === 'uint16' ? 'grey16' : 'b-w') : image;
    const { data, info } = await pipeline
      .raw({ depth: dtype === 'uint16' ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, dtype, data };
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new InvalidArgumentError(`${file}: cannot decode image: ${reason}`, { file, reason });
  }
}

/** Limits libvips to `threads` threads in this process (one per worker process scales best). */
export async function limitImageThreads(threads: number): Promise<void> {
  (await loadSharp()).concurrency(threads);
}
