/** Arrays: dtypes, shapes, codecs, npy and IDX headers, and the interop formats (npy/npz/idx/csv/images). */
export { DTYPES, ITEM_SIZE, checkDType, dtypeFromNumpy, numpyDescr, viewAs, swapBytes } from './dtype.js';
export type { DType, TypedArray } from './dtype.js';
export { MAX_RANK, checkShapeSpec, parseShape, shapeMismatch, elementCount } from './shape.js';
export type { ShapeSchema } from './shape.js';
export { parseNpyHeader, readNpyHeader, encodeNpyHeader } from './formats/npy.js';
export type { NpyHeader } from './formats/npy.js';
export { parseIdxHeader } from './formats/idx.js';
export type { IdxHeader } from './formats/idx.js';
export { CODECS, DEFAULT_CODEC, checkCodec } from './codecs/codec.js';
export type { Codec } from './codecs/codec.js';
// Interop formats. yauzl, yazl and sharp load on first use, not on import.
export type {
  SampleBatch,
  ArraySource,
  BatchOptions,
  OpenOptions,
  ArrayWriteInput,
  ImageSample,
} from './formats/array-source.js';
export { openArraySources, fileKind } from './formats/open-array-sources.js';
export { DEFAULT_MAX_BATCH_BYTES } from './formats/batch-plan.js';
export { writeNpy } from './formats/npy-writer.js';
export { writeIdx } from './formats/idx-writer.js';
export { writeCsv } from './formats/csv-writer.js';
export { writeNpz } from './formats/npz-writer.js';
export type { NpzMember } from './formats/npz-writer.js';
export { writeImages } from './image/write-images.js';
export type { WriteImagesOptions } from './image/write-images.js';
