/** Staging: valid assets copied or moved into `<staging>/content`, metadata beside, committed. */
export { createStaging, recoverStaging, stagingJournalPath, STAGING_LOCK } from './create-staging.js';
export type { CreateStagingOptions, CreateResult } from './create-staging.js';
export { deleteStaging } from './delete-staging.js';
export type { DeleteResult } from './delete-staging.js';
export { stageAssets, planStaging } from './stage-assets.js';
export type { StageAssetsOptions, StageResult } from './stage-assets.js';
export { stagingLayout, checkRelativePath, METADATA_TYPES } from './staging-layout.js';
export type { StagingLayout, MetadataType } from './staging-layout.js';
export type { StagingAsset, StagingFile, WriteMode } from './staging-plan.js';
export { recoverMoves, readMoveJournal, writeMoveJournal, removeMoveJournal } from './move-journal.js';
export type { RecoveryPolicy, RecoveryReport } from './move-journal.js';
export { moveFiles, copyWhole } from './move-files.js';
export type { MoveEntry } from './move-files.js';
export { copyFiles } from './copy-files.js';
export {
  writeMetadata,
  metadataWrites,
  chunkRecords,
  fileRecordJson,
  assetRecordJson,
} from './metadata-writer.js';
export { toStagingAsset } from './from-records.js';
