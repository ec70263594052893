import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { ITEM_SIZE } from '../arrays/dtype.js';
import type { ArraySource, ArrayWriteInput } from '../arrays/formats/array-source.js';
import { fileKind, openArraySources } from '../arrays/formats/open-array-sources.js';
import { elementCount } from '../arrays/shape.js';
import type { Checkout } from './checkout.js';
import type { Column } from './column.js';

/** What an import did. */
export interface ImportResult {
  readonly column: string;
  readonly created: boolean;
  readonly samples: number;
  readonly firstKey: number;
  readonly source: string;
}

/** The array in `path` meant for `column`: the only one, or the npz member of that name. */
function pickSource(sources: readonly ArraySource[], column: string, path: string): ArraySource {
  if (sources.length === 1) return sources[0]!;
  const named = sources.find((s) => s.name === column);
  if (named) return named;
  throw new InvalidArgumentError(
    `${path} holds ${sources.length} arrays (${sources.map((s) => s.name).join(', ')}); name the column after one of them`,
    { path, members: sources.map((s) => s.name) },
  );
}

/**
 * Imports an array file or image folder into a column through a writer checkout, as one bulk
 * step: samples are keyed start, start+1, ... in the file's order, and nothing is staged unless
 * the whole file was read (a corrupt image or truncated file stops it with nothing half-staged).
 * With `create`, a missing column is made from the file's dtype and sample shape.
 */
export async function importIntoColumn(
  checkout: Checkout,
  column: string,
  path: string,
  options: {
    create?: boolean;
    start?: number;
    onProgress?: (done: number, total: number) => void;
    /** Called after each batch of samples is written (not yet staged), with the batches so far. */
    onBatch?: (batches: number, samples: number) => void | Promise<void>;
  } = {},
): Promise<ImportResult> {
  const start = options.start ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidArgumentError(`--start must be a whole number >= 0, got ${options.start}`, { start });
  }
  const source = pickSource(await openArraySources(path), column, path);
  const created = !checkout.hasColumn(column);
  if (created && !options.create) {
    throw new NotFoundError(`no column '${column}'; create it first or pass --create`, { column });
  }
  if (created && source.sampleShape === null) {
    throw new InvalidArgumentError(
      `${path}: samples differ in shape; create '${column}' with --variable --max-shape first`,
      { path },
    );
  }
  let samples = 0;
  let batches = 0;
  await checkout.bulk(async () => {
    const target: Column = created
      ? await checkout.createColumn({ name: column, dtype: source.dtype, shape: source.sampleShape! })
      : checkout.column(column);
    for await (const batch of source.batches({ onBytes: options.onProgress })) {
      await target.setBatch({ start: start + samples }, batch);
      samples += batch.count;
      await options.onBatch?.(++batches, samples);
    }
  });
  return { column, created, samples, firstKey: start, source: source.path };
}

/** What an export wrote. */
export interface ExportResult {
  readonly column: string;
  readonly samples: number;
  readonly path: string;
  readonly format: string;
}

/**
 * Writes a column to a file in key order: `.npy` (shape (N, ...), loads in numpy as is), `.npz`
 * (one member named after the column), IDX, `.csv`, or a folder of PNG images (uint8 columns of
 * rank 2 or 3). Fixed-shape columns only, except for image folders.
 */
export async function exportColumn(checkout: Checkout, column: string, path: string): Promise<ExportResult> {
  const col = checkout.column(column);
  const schema = col.schema;
  const count = await col.size();
  const asFolder =
    (existsSync(path) && statSync(path).isDirectory()) ||
    (fileKind(path) === undefined && extname(path) === '');
  if (schema.kind !== 'ndarray') {
    throw new InvalidArgumentError(`column '${column}' holds ${schema.kind}; only ndarray columns export`, {
      column,
    });
  }
  if (asFolder) {
    const { writeImages } = await import('../arrays/image/write-images.js');
    if (schema.dtype !== 'uint8') {
      throw new InvalidArgumentError(`column '${column}' is ${schema.dtype}; images need uint8`, { column });
    }
    const samples = (async function* () {
      for await (const [key, sample] of col.entries()) {
        const s = sample as { shape: readonly number[]; data: Uint8Array };
        // Zero-padded numbers keep key order when the folder is read back sorted by name.
        yield {
          name: typeof key === 'number' ? String(key).padStart(8, '0') : String(key),
          shape: s.shape,
          data: s.data,
        };
      }
    })();
    const written = await writeImages(path, samples);
    return { column, samples: written, path, format: 'images' };
  }
  if (schema.variable) {
    throw new InvalidArgumentError(
      `column '${column}' has variable shapes; export it to a folder of images or make it fixed`,
      { column },
    );
  }
  const input: ArrayWriteInput = {
    dtype: schema.dtype!,
    sampleShape: schema.shape!,
    count,
    chunks: (async function* () {
      for await (const batch of col.batches({
        size: Math.max(
          1,
          Math.floor((8 << 20) / Math.max(1, elementCount(schema.shape!) * ITEM_SIZE[schema.dtype!])),
        ),
      })) {
        const d = batch.samples.data;
        yield new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      }
    })(),
  };
  const kind = fileKind(path);
  if (kind === 'npy') await (await import('../arrays/formats/npy-writer.js')).writeNpy(path, input);
  else if (kind === 'npz')
    await (await import('../arrays/formats/npz-writer.js')).writeNpz(path, [{ ...input, name: column }]);
  else if (kind === 'idx') await (await import('../arrays/formats/idx-writer.js')).writeIdx(path, input);
  else if (kind === 'csv') await (await import('../arrays/formats/csv-writer.js')).writeCsv(path, input);
  else {
    throw new InvalidArgumentError(
      `${path}: export to .npy, .npz, .csv, an IDX file, or a folder of images`,
      {
        path,
      },
    );
  }
  return { column, samples: count, path, format: kind };
}
