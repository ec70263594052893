import type { Metadata } from 'sharp';
import type { ImageHeader } from '../specs/specification.js';
import { isPng, readPngHeader } from './png-header.js';

type Sharp = (typeof import('sharp'))['default'];
let loaded: Promise<Sharp> | undefined;

/** sharp (libvips) loads on the first image, not with the module: most runs read no image. */
function loadSharp(): Promise<Sharp> {
  return (loaded ??= import('sharp').then((m) => {
    const sharp = m.default;
    // One file at a time per worker thread: the pool already uses every core.
    sharp.concurrency(1);
    sharp.cache(false);
    return sharp;
  }));
}

const BITS: Record<string, number> = {
  char: 8,
  uchar: 8,
  short: 16,
  ushort: 16,
  int: 32,
  uint: 32,
  float: 32,
  complex: 64,
  double: 64,
  dpcomplex: 128,
};

const PNG_END = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/**
 * Checks the end of a PNG or JPEG: a header alone (all sharp reads for metadata) does not show
 * that a file was cut short, and a truncated frame must be an error, not a valid asset.
 */
function checkComplete(format: string, tail: Buffer): void {
  if (format === 'png' && !tail.subarray(tail.length - PNG_END.length).equals(PNG_END))
    throw new Error('truncated PNG: no IEND chunk at the end');
  if (format === 'jpeg' && !(tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9))
    throw new Error('truncated JPEG: no end-of-image marker');
}

/**
 * Reads an image's header (width, height, channels, bit depth) without decoding pixels, from the
 * bytes already read (small files) or from the path, with sharp; PNGs already in memory are read
 * by `readPngHeader`, which gives the same values. `tail` is the file's last bytes.
 */
export async function readImageHeader(input: Buffer | string, tail: Buffer): Promise<ImageHeader> {
  // PNG headers are read here directly (sharp costs ~150 µs per file, most of an update).
  if (typeof input !== 'string' && isPng(input)) {
    const header = readPngHeader(input);
    checkComplete('png', tail);
    return header;
  }
  let meta: Metadata;
  const sharp = await loadSharp();
  try {
    meta = await sharp(input).metadata();
  } catch (err) {
    throw new Error(`cannot read image header: ${(err as Error).message}`);
  }
  const format = meta.format ?? 'unknown';
  if (!meta.width || !meta.height || !meta.channels)
    throw new Error(`cannot read image size from ${format} header`);
  checkComplete(format, tail);
  return {
    width: meta.width,
    height: meta.height,
    channels: meta.channels,
    bitDepth: BITS[meta.depth ?? ''] ?? 0,
    format,
  };
}
