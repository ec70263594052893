import { crc32 } from 'node:zlib';
import type { ImageHeader } from '../specs/specification.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per PNG colour type, before a tRNS chunk adds alpha (as libvips reports them). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
const BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Buffer): boolean {
  return bytes.length >= 8 && bytes.subarray(0, 8).equals(SIGNATURE);
}

/**
 * Reads a PNG's header in JavaScript: the IHDR chunk (checked against its CRC) and the chunk
 * list up to the first IDAT (a tRNS chunk adds an alpha channel). The result equals what sharp
 * (libvips) reports, at a few microseconds instead of ~150 per file. Throws on a corrupt header.
 */
export function readPngHeader(bytes: Buffer): ImageHeader {
  if (bytes.length < 33) throw new Error('truncated PNG: no complete IHDR chunk');
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR')
    throw new Error('corrupt PNG: the first chunk is not a 13-byte IHDR');
  if (crc32(bytes.subarray(12, 29)) !== bytes.readUInt32BE(29))
    throw new Error('corrupt PNG: IHDR CRC mismatch');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const depth = bytes[24]!;
  const colourType = bytes[25]!;
  if (width === 0 || height === 0) throw new Error('corrupt PNG: zero width or height');
  if (!BIT_DEPTHS[colourType]?.includes(depth))
    throw new Error(`corrupt PNG: bit depth ${depth} with colour type ${colourType}`);
  let channels = CHANNELS[colourType]!;
  for (let at = 33; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tRNS' && (colourType === 0 || colourType === 2 || colourType === 3)) channels += 1;
    at += 12 + length;
  }
  return { width, height, channels, bitDepth: depth === 16 ? 16 : 8, format: 'png' };
}
