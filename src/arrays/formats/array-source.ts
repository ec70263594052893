import type { DType } from '../dtype.js';

/**
 * A run of samples of one dtype and one per-sample shape, little-endian, C order, contiguous.
 *
 * `data` may be a view into a buffer the source reuses for the next batch: consume or copy it
 * before asking the iterator for the next one.
 */
export interface SampleBatch {
  readonly dtype: DType;
  /** Per-sample shape. */
  readonly shape: readonly number[];
  readonly count: number;
  /** `count * elementCount(shape) * ITEM_SIZE[dtype]` bytes. */
  readonly data: Uint8Array;
  /** Per sample, when the source has names (image files: the file name). */
  readonly names?: readonly string[];
}

/** Options of {@link ArraySource.batches}. */
export interface BatchOptions {
  /** Most bytes of sample data per batch (default 8 MiB); a batch always holds at least one sample. */
  readonly maxBytes?: number;
  /** Called as the source's bytes are read: bytes so far, total bytes of the source. */
  readonly onBytes?: (bytesRead: number, totalBytes: number) => void;
}

/** One array to import: a `.npy` file, an `.npz` member, an IDX file, a CSV file, a folder of images. */
export interface ArraySource {
  readonly path: string;
  /** npz member name (without `.npy`), or the file or folder's base name. */
  readonly name: string;
  readonly dtype: DType;
  /** The shape every sample has; null when samples differ in shape (a folder of mixed images). */
  readonly sampleShape: readonly number[] | null;
  /** Number of samples; null when unknown up front (CSV). */
  readonly count: number | null;
  /** Files of a folder that were not read because they are not images. */
  readonly skipped?: number;
  /** Streams samples with bounded memory: each batch holds at most ~maxBytes, at least one sample. */
  batches(options?: BatchOptions): AsyncIterable<SampleBatch>;
}

/** Options of {@link openArraySources}. */
export interface OpenOptions {
  /** CSV: the dtype to parse into (default: int64 when every value is a safe integer, else float64). */
  readonly dtype?: DType;
  /** CSV: whether the first row is a header (default: detected, a first row not all numbers). */
  readonly csvHeader?: boolean;
}

/** What a writer takes: `count` samples of `sampleShape`, LE, C order, concatenated in `chunks`. */
export interface ArrayWriteInput {
  readonly dtype: DType;
  readonly sampleShape: readonly number[];
  readonly count: number;
  /** The samples' bytes in any chunking; the writer consumes each chunk before asking for the next. */
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** One image to write: uint8 `[h, w]` or `[h, w, c]` with c in 1..4. */
export interface ImageSample {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}
