import { loadSharp } from '../load-sharp.js';

/** Writes a grey uint8 image (`height × width` bytes) as PNG, JPEG or TIFF by the file's extension. */
export async function writeGreyImage(
  path: string,
  width: number,
  height: number,
  data: Uint8Array,
): Promise<void> {
  const sharp = await loadSharp();
  const image = sharp(Buffer.from(data), { raw: { width, height, channels: 1 } }).toColourspace('b-w');
  if (path.endsWith('.tif') || path.endsWith('.tiff')) await image.tiff({ compression: 'lzw' }).toFile(path);
  else if (path.endsWith('.jpg')) await image.jpeg({ quality: 100 }).toFile(path);
  else await image.png().toFile(path);
}

/** Writes grey uint8 pages of `width × height` as one multipage TIFF. */
export async function writeMultipageTiff(
  path: string,
  width: number,
  height: number,
  pages: readonly Uint8Array[],
): Promise<void> {
  const sharp = await loadSharp();
  const all = Buffer.concat(pages.map((p) => Buffer.from(p)));
  await sharp(all, { raw: { width, height: height * pages.length, channels: 1, pageHeight: height } })
    .toColourspace('b-w')
    .tiff({ compression: 'lzw' })
    .toFile(path);
}
