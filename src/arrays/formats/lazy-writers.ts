import type { ImageSample } from './array-source.js';
import type { NpzMember } from './npz-writer.js';
import type { WriteImagesOptions } from '../image/write-images.js';

/**
 * {@link import('./npz-writer.js').writeNpz}, loading yazl only when called, so that importing
 * `arrays` stays cheap for the CLI.
 */
export async function writeNpz(
  path: string,
  members: readonly NpzMember[],
  options: { compress?: boolean } = {},
): Promise<void> {
  return (await import('./npz-writer.js')).writeNpz(path, members, options);
}

/**
 * {@link import('../image/write-images.js').writeImages}, loading sharp (a native module, tens of
 * milliseconds) only when called.
 */
export async function writeImages(
  dir: string,
  samples: AsyncIterable<ImageSample>,
  options: WriteImagesOptions = {},
): Promise<number> {
  return (await import('../image/write-images.js')).writeImages(dir, samples, options);
}
