import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { readPngHeader } from './png-header.js';

test('the PNG header reader agrees with sharp on every colour type, depth and transparency', async () => {
  const base = (channels: 3 | 4) =>
    sharp({ create: { width: 7, height: 5, channels, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } });
  const variants: [string, Buffer][] = [
    ['rgb', await base(3).png().toBuffer()],
    ['rgba', await base(4).png().toBuffer()],
    ['gray', await base(3).greyscale().png().toBuffer()],
    ['gray+alpha', await base(4).greyscale().png().toBuffer()],
    ['rgb16', await base(3).toColourspace('rgb16').png().toBuffer()],
    ['palette', await base(3).png({ palette: true }).toBuffer()],
    ['palette+alpha', await base(4).png({ palette: true }).toBuffer()],
  ];
  for (const [name, png] of variants) {
    const meta = await sharp(png).metadata();
    const ours = readPngHeader(png);
    assert.deepEqual(
      [ours.width, ours.height, ours.channels, ours.bitDepth],
      [meta.width, meta.height, meta.channels, meta.depth === 'ushort' ? 16 : 8],
      name,
    );
  }
});

test('corrupt PNG headers are refused with a reason', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();
  const flipped = Buffer.from(png);
  flipped[17] ^= 0xff;
  assert.throws(() => readPngHeader(flipped), /IHDR CRC mismatch/);
  assert.throws(() => readPngHeader(png.subarray(0, 20)), /truncated PNG/);
  const notIhdr = Buffer.from(png);
  notIhdr.write('IHDX', 12, 'latin1');
  assert.throws(() => readPngHeader(notIhdr), /not a 13-byte IHDR/);
});
