/** Arrays (groundwork for tensor columns): dtypes, shapes, sample keys and ids, npy and IDX headers. */
export { DTYPES, ITEM_SIZE, checkDType, dtypeFromNumpy, numpyDescr, viewAs, swapBytes } from './dtype.js';
export type { DType, TypedArray } from './dtype.js';
export { MAX_RANK, checkShapeSpec, parseShape, shapeMismatch, elementCount } from './shape.js';
export type { ShapeSchema } from './shape.js';
export { checkSampleKey, sampleKeyFromCanonical } from './sample-key.js';
export type { SampleKey } from './sample-key.js';
export { sampleId } from './sample-id.js';
export { parseNpyHeader, readNpyHeader, encodeNpyHeader } from './formats/npy.js';
export type { NpyHeader } from './formats/npy.js';
export { parseIdxHeader } from './formats/idx.js';
export type { IdxHeader } from './formats/idx.js';
export { CODECS, DEFAULT_CODEC, checkCodec } from './codecs/codec.js';
export type { Codec } from './codecs/codec.js';
export { openCheckout, Checkout } from './columns/checkout.js';
export type { CheckoutOptions } from './columns/checkout.js';
export { Column } from './columns/column.js';
export type { Sample } from './columns/column.js';
export type { ColumnKey } from './columns/column-keys.js';
export { checkColumnSpec, checkColumnName } from './columns/schema.js';
export type {
  ColumnSchema,
  ColumnSpec,
  ColumnKind,
  ColumnLayout,
  NdArray,
  SampleInput,
} from './columns/schema.js';
export type { ColumnRecord } from './columns/column-record.js';
export {
  readColumns,
  readColumnStage,
  refuseStagedColumns,
  COLUMNS_SECTION,
} from './columns/column-record.js';
export { diffColumnRecords } from './columns/column-diff.js';
export type { ColumnChange } from './columns/column-diff.js';
export type { ColumnConflict } from './columns/column-merge.js';
export { summarizeColumns, repositoryDiskUsage } from './columns/summary.js';
export type { ColumnSummary } from './columns/summary.js';
export { columnsSectionProvider } from './columns/columns-provider.js';
export { mergeRevision } from './merge.js';
export type { MergeResult, MergeOptions, MergeConflict } from './merge.js';
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
export {
  columnsAt,
  stagedColumns,
  diffColumnRevisions,
  iterateColumnRevisionChanges,
} from './columns/column-revisions.js';
export { importIntoColumn, exportColumn } from './columns/import-export.js';
export type { ImportResult, ExportResult } from './columns/import-export.js';
