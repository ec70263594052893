import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { AlreadyExistsError, InvalidArgumentError } from '../../errors/index.js';
import { fsyncDir, tempPathFor } from '../../util/durable-fs.js';
import type { ImageSample } from '../formats/array-source.js';
import { IMAGE_EXTENSIONS } from './image-folder-source.js';
import { loadSharp } from './load-sharp.js';

/** Options of {@link writeImages}. */
export interface WriteImagesOptions {
  /** Image format; PNG (lossless) is the only one, so pixels read back exactly. */
  readonly format?: 'png';
  /** fsync every file before the folder appears (default true). */
  readonly sync?: boolean;
}

/** `cat.jpg` → `cat.png`; `7` → `7.png`. Names with a path in them are refused. */
function fileNameFor(dir: string, name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new InvalidArgumentError(`${dir}: '${name}' cannot be an image file name`, { file: dir, name });
  }
  const ext = extname(name);
  return (IMAGE_EXTENSIONS.includes(ext.toLowerCase()) ? name.slice(0, -ext.length) : name) + '.png';
}

function checkImage(
  dir: string,
  sample: ImageSample,
): { width: number; height: number; channels: 1 | 2 | 3 | 4 } {
  const [height, width, channels = 1] = sample.shape;
  const ok =
    (sample.shape.length === 2 || sample.shape.length === 3) &&
    height! >= 1 &&
    width! >= 1 &&
    channels >= 1 &&
    channels <= 4 &&
    sample.data.byteLength === height! * width! * channels;
  if (!ok) {
    throw new InvalidArgumentError(
      `${dir}: sample '${sample.name}' of shape [${sample.shape.join(', ')}] (${sample.data.byteLength} bytes) is not a uint8 image [h, w] or [h, w, c] with c in 1..4`,
      { file: dir, name: sample.name, shape: sample.shape },
    );
  }
  return { width: width!, height: height!, channels: channels as 1 | 2 | 3 | 4 };
}

/**
 * Writes uint8 samples `[h, w]` or `[h, w, c]` (c in 1..4: grey, grey+alpha, RGB, RGBA) as PNG
 * files named after the samples into a new folder `dir`, encoding on every core. The files are
 * written into a temp folder beside `dir`, fsynced, and the folder renamed into place at the end,
 * so a failed export leaves nothing. `dir` must not exist or be empty. Returns the number written.
 */
export async function writeImages(
  dir: string,
  samples: AsyncIterable<ImageSample>,
  options: WriteImagesOptions = {},
): Promise<number> {
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0) {
    throw new AlreadyExistsError(`${dir}: folder exists and is not empty`, { what: 'folder', path: dir });
  }
  await mkdir(dirname(dir), { recursive: true });
  const temp = tempPathFor(dir);
  await mkdir(temp);
  const sharp = await loadSharp();
  const sync = options.sync ?? true;
  const names = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let written = 0;
  const encode = async (file: string, sample: ImageSample, data: Buffer) => {
    const { width, height, channels } = checkImage(dir, sample);
    let image = sharp(data, { raw: { width, height, channels } });
    // Without this, libvips writes grey input as RGB.
    if (channels <= 2) image = image.toColourspace('b-w');
    await image.png().toFile(file);
    if (sync) {
      const handle = await open(file, 'r');
      await handle.sync().finally(() => handle.close());
    }
    written++;
  };
  try {
    for await (const sample of samples) {
      checkImage(dir, sample);
      const fileName = fileNameFor(dir, sample.name);
      if (names.has(fileName)) {
        throw new InvalidArgumentError(`${dir}: two samples would both be written as ${fileName}`, {
          file: dir,
          name: fileName,
        });
      }
      names.add(fileName);
      // Copy: the caller may reuse its buffer once we ask for the next sample.
      const job = encode(join(temp, fileName), sample, Buffer.from(sample.data)).catch((err: unknown) => {
        failure ??= err;
      });
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      if (inFlight.size >= Math.max(2, availableParallelism())) await Promise.race(inFlight);
      if (failure) throw failure;
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    if (sync) fsyncDir(temp);
    // rename(2) replaces an empty folder atomically.
    await rename(temp, dir);
    if (sync) fsyncDir(dirname(dir));
    return written;
  } catch (err) {
    await Promise.allSettled(inFlight);
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}
