import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { ArraySource, OpenOptions } from './array-source.js';

/**
 * Opens a file or folder by its kind: `.npy`, `.npz` (one source per member), IDX (`.idx*`,
 * `*-ubyte`, either gzipped), `.csv`, or a folder of images (PNG, JPEG, TIFF).
 */
export async function openArraySources(path: string, options: OpenOptions = {}): Promise<ArraySource[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new NotFoundError(`${path}: no such file or folder`, { what: 'file', path });
  if (info.isDirectory()) {
    const { openImageFolder } = await import('../image/image-folder-source.js');
    return [await openImageFolder(path)];
  }
  const kind = fileKind(path);
  switch (kind) {
    case 'npy':
      return [await (await import('./npy-source.js')).openNpySource(path)];
    case 'npz':
      return (await import('./npz-source.js')).openNpzSources(path);
    case 'idx':
      return [await (await import('./idx-source.js')).openIdxSource(path)];
    case 'csv':
      return [await (await import('./csv-source.js')).openCsvSource(path, options)];
    default:
      throw new InvalidArgumentError(
        `${path}: cannot tell the file's kind from its name; expected .npy, .npz, .csv, an IDX file (.idx*, *-ubyte) or a folder of images`,
        { file: path },
      );
  }
}

/** The format a file name says, or undefined. IDX may be gzipped (`train-images-idx3-ubyte.gz`). */
export function fileKind(path: string): 'npy' | 'npz' | 'idx' | 'csv' | undefined {
  const base = basename(path).toLowerCase();
  const ext = extname(base);
  if (ext === '.npy') return 'npy';
  if (ext === '.npz') return 'npz';
  if (ext === '.csv') return 'csv';
  const plain = base.replace(/\.gz$/, '');
  if (extname(plain).startsWith('.idx') || /-ubyte$/.test(plain)) return 'idx';
  return undefined;
}
