/** Columns: typed sample collections edited through a writer checkout, committed as a root-tree section. */
export { checkSampleKey, sampleKeyFromCanonical } from './sample-key.js';
export type { SampleKey } from './sample-key.js';
export { sampleId } from './sample-id.js';
export { openCheckout, Checkout } from './checkout.js';
export type { CheckoutOptions } from './checkout.js';
export { Column } from './column.js';
export type { Sample } from './column.js';
export type { ColumnKey } from './column-keys.js';
export { parseColumnKey } from './column-keys.js';
export { checkColumnSpec, checkColumnName } from './schema.js';
export type { ColumnSchema, ColumnSpec, ColumnKind, ColumnLayout, NdArray, SampleInput } from './schema.js';
export type { ColumnRecord } from './column-record.js';
export { readColumns, readColumnStage, COLUMNS_SECTION } from './column-record.js';
export { diffColumnRecords } from './column-diff.js';
export type { ColumnChange } from './column-diff.js';
export type { ColumnConflict } from './column-merge.js';
export { summarizeColumns } from './summary.js';
export type { ColumnSummary } from './summary.js';
export { columnsSectionProvider } from './columns-provider.js';
export {
  columnsAt,
  stagedColumns,
  diffColumnRevisions,
  iterateColumnRevisionChanges,
} from './column-revisions.js';
export { importIntoColumn, exportColumn } from './import-export.js';
export type { ImportResult, ExportResult } from './import-export.js';
export type { VolumeSchema, VolumeSpec } from './volume-schema.js';
export { checkVolumeSpec } from './volume-schema.js';
export type { VolumeRecord } from './volume-record.js';
export { volumesAt, volumeAt, VOLUMES_SECTION } from './volume-record.js';
export { createVolume, writeVolumeRegion, storeVolumeChunk, filledChunk } from './volume-write.js';
export type { WriteRegionOptions } from './volume-write.js';
export { commitVolumeChanges } from './volume-commit.js';
export type { VolumeChanges, VolumeCommit } from './volume-commit.js';
export { readCutout, readRecordCutout, createVolumeChunkCache, touchedChunks } from './volume-cutout.js';
export type { Cutout, CutoutRegion, CutoutOptions, AxisRange, VolumeChunkCache } from './volume-cutout.js';
export { diffVolumeRevisions, diffVolumeRecords } from './volume-diff.js';
export type { VolumeChunkChange } from './volume-diff.js';
export { volumesSectionProvider } from './volume-provider.js';
export type { VolumeConflict } from './volume-provider.js';
export { chunkKey, parseChunkKey } from './volume-chunk.js';
export type { ChunkCoord } from './volume-chunk.js';
export { writeCutoutImages } from './volume-images.js';
