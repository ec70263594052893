/**
 * Strata's public library: open or create a repository, then call the verbs below with it.
 *
 * @example
 * ```ts
 * import { initRepository, addResource, commit, status } from 'strata';
 * const repo = await initRepository('my-project');
 * await addResource(repo, { path: 'data', role: 'source-data', cwd: repo.root, create: true });
 * await commit(repo, { message: 'first data' });
 * console.log((await status(repo)).changes);
 * await repo.close();
 * ```
 */
export { Repository, findRepositoryRoot, STRATA_DIR } from '../repo/repository.js';
export { initRepository, createRepository } from '../backends/open-backends.js';
export { openRepository } from './open-repository.js';
export type { InitOptions, CreatedRepository } from '../backends/open-backends.js';
export { parseCatalogUrl, parseStoreUrl, redactUrl, describeBackends } from '../backends/backend-urls.js';
export { DEFAULT_CONFIG } from '../repo/repository-config.js';
export type { RepositoryConfig } from '../repo/repository-config.js';
export {
  addResource,
  removeResource,
  listResources,
  checkRole,
  RESOURCE_ROLES,
} from '../repo/resources/resources.js';
export type { AddResourceOptions, ResourceRole } from '../repo/resources/resources.js';
export {
  RESOURCE_PARAMS,
  listResourceParams,
  getResourceParam,
  setResourceParam,
} from '../repo/resources/resource-params.js';
export type { ResourceParamSpec, ResourceParamValue } from '../repo/resources/resource-params.js';
export { refreshResources, publishResources } from '../repo/resources/refresh-resources.js';
export { scratchDirectory, setScratchDirectory } from '../repo/scratch.js';
export { status } from './status.js';
export type { StatusReport } from '../repo/worktree/status.js';
// The one commit verb: staged column samples, lineage and metrics go in, as with `strata commit`.
export { commit, snapshot, DEFAULT_SECTION_PROVIDERS } from './commit.js';
export type { CommitOptions, CommitResult, SnapshotOptions, SnapshotResult } from './commit.js';
// checkout, createBranch and deleteBranch keep each branch's current lineage with it.
export { checkout, createBranch, deleteBranch } from './branches.js';
export type { CheckoutResult, RewriteOptions } from '../repo/worktree/checkout.js';
export { restorePaths } from '../repo/worktree/restore.js';
export type { RestoreOptions } from '../repo/worktree/restore.js';
export type { UnrestorableFile, UnrestorableReason } from '../repo/worktree/unrestorable.js';
export { diffRevisions } from '../repo/diff/diff-revisions.js';
export { changeToJson } from '../repo/diff/diff-trees.js';
export type { FileChange, ChangeKind } from '../repo/diff/diff-trees.js';
export { log } from '../repo/history/log.js';
export type { LogEntry, LogOptions } from '../repo/history/log.js';
export { readHead, resolveRevision } from '../repo/refs/refs.js';
export type { HeadState } from '../repo/refs/refs.js';
export { listBranches, listTags, readRefs, createTag, deleteTag } from '../repo/refs/branches.js';
export type { BranchInfo, TagInfo, RefsSnapshot } from '../repo/refs/branches.js';
export { readCommit, readCommitTree } from '../repo/objects/read-objects.js';
export type { Commit, RootTree, ResourceSnapshot } from '../repo/objects/commit-object.js';
export { fsck } from '../repo/maintenance/fsck.js';
export type { FsckReport } from '../repo/maintenance/fsck.js';
export { gc } from '../repo/maintenance/gc.js';
export type { GcReport } from '../repo/maintenance/gc.js';
export { listLocks, releaseLocks } from '../repo/maintenance/lock-admin.js';
export type { LockStatus, ReleasedLock, StaleReason } from '../repo/maintenance/lock-admin.js';
export { setLockNoticeListener, type LockNoticeListener } from '../repo/commit/locks.js';
export * from '../errors/index.js';

// Computed resources (src/compute/): compute once per (collection, id, args), remember status,
// result, log, error and output files; see README "Computed resources".
export { ComputeProject, openComputeProject } from '../compute/compute-project.js';
export { computeProject } from './compute-project.js';
export { computedResourceJson, listComputedResources } from './compute-listing.js';
export type { ComputeListOptions } from './compute-listing.js';
export type { FetchOptions, ComputeCounts } from '../compute/compute-project.js';
export type { Collection, CollectionOptions, ComputeFunction, RetryPolicy } from '../compute/collection.js';
export type { ComputeContext } from '../compute/compute-context.js';
export type { ComputeLogger } from '../compute/compute-logger.js';
export type { ComputedResource } from '../compute/computed-resource.js';
export type { FetchManyItem, FetchManyOptions } from '../compute/fetch-many.js';
export type { CommitOutputsOptions, CommitOutputsResult } from '../compute/commit-outputs.js';
export { hashArgs } from '../compute/args-hash.js';
export { pickComputedResource } from '../compute/pick-variant.js';
export type { HashedArgs } from '../compute/args-hash.js';
export { COMPUTE_STATUSES } from '../compute/store/compute-store.js';
export type { ComputeStatus, ComputeErrorInfo } from '../compute/store/compute-store.js';

// Workspaces (src/workspace/): resource types, results filed away per snapshot, metrics, reports,
// whole-snapshot restore and configuration parameters; see README "Workspaces and results".
// restoreSnapshot: resources and lineage (the workspace's restoreSnapshotResources is its first half).
export { restoreSnapshot } from './restore-snapshot.js';
export { restoreTargetKind } from './restore-target.js';
export type { RestoreRequest } from './restore-target.js';
export type { SectionProvider, SectionContext } from '../repo/commit/section-provider.js';
export type { SectionValue } from '../repo/commit/create-commit.js';
export { RESOURCE_TYPES, resourceType } from '../repo/resources/types/index.js';
export type { ResourceType, ContentMode } from '../repo/resources/types/index.js';
export * from '../workspace/index.js';

// Lineage (src/lineage/): steps with parameters, inputs, code and outputs pinned to content
// hashes, consistency rules, the current lineage and its snapshot section, graphs, export and
// import across repositories, commands recorded as steps; see README "Lineage".
export { createStep, StepBuilder, checkStepName, inferStepName } from '../lineage/step-builder.js';
export type { RefSpec, StepOptions } from '../lineage/step-builder.js';
export { RunningStep, RESULTS_FILE } from '../lineage/running-step.js';
export type { ResultsFile } from '../lineage/running-step.js';
export {
  readCurrentLineage,
  writeCurrentLineage,
  currentLineageKey,
  readCommitLineage,
  lineageStore,
  forgetStep,
  parseLineage,
  LINEAGE_LOCK,
} from '../lineage/lineage-state.js';
export type {
  LineageKey,
  LineageState,
  StepRecord,
  StepStatus,
  PinnedRef,
  StepParameters,
} from '../lineage/lineage-state.js';
export { formatRef, resolvePathToRef } from '../lineage/resource-ref.js';
export type { ResourceRef } from '../lineage/resource-ref.js';
export { hashRef } from '../lineage/ref-hash.js';
export { ancestry } from '../lineage/ancestry.js';
export type { LineageStore } from '../lineage/lineage-store.js';
export {
  lineageSectionProvider,
  lineageStepsChanged,
  pendingLineage,
  readSnapshotLineage,
  restoreLineage,
  LINEAGE_SECTION,
} from '../lineage/lineage-section.js';
export type { LineageSection } from '../lineage/lineage-section.js';
export { buildLineageGraph } from '../lineage/lineage-graph.js';
export type { LineageGraph, GraphNode, GraphEdge } from '../lineage/lineage-graph.js';
export { renderDot } from '../lineage/lineage-dot.js';
export { renderHtml } from '../lineage/lineage-html.js';
export { exportLineage, importLineage, parseLineageExport } from '../lineage/lineage-export.js';
export type { LineageExport, ImportResult } from '../lineage/lineage-export.js';
export { runCommandStep, inferCommandStepName } from '../lineage/run-command.js';
export type { RunCommandOptions, RunCommandResult } from '../lineage/run-command.js';
export { toResourcePaths } from '../repo/worktree/restore.js';
export * from '../assets/index.js';
export { updateAssets, openAssetStore } from './update-assets.js';
export type { UpdateAssetsOptions } from './update-assets.js';
export * from '../arrays/index.js';
export * from '../columns/index.js';
export * from '../ingest/index.js';
export { mergeRevision } from './merge.js';
export { checkMergeStrategy } from '../repo/merge/merge-strategy.js';
export type { MergeStrategy } from '../repo/merge/merge-strategy.js';
export type { MergeResult, MergeOptions, MergeConflict } from './merge.js';
export type { ResourceConflict } from '../repo/merge/merge-revision.js';
export type {
  BeforeMergeContext,
  MergeSide,
  SectionConflict,
  SectionMergeContext,
  SectionMergeResult,
} from '../repo/commit/section-provider.js';
export { repositoryDiskUsage } from '../repo/maintenance/disk-usage.js';
export {
  refuseStagedChanges,
  /** @deprecated the same check under its old name: use `refuseStagedChanges`. */
  refuseStagedChanges as refuseStagedColumns,
} from '../repo/commit/refuse-staged.js';
export { findInterrupted, recover } from './interrupted.js';
export type { InterruptedOperation, RecoverResult } from './interrupted.js';
export { resolveInterrupted } from '../repo/worktree/journaled-rewrite.js';
export type { RecoveryResult } from '../repo/worktree/journaled-rewrite.js';
// The HTTP server's tokens and file browsing (src/server/ is a face over these).
export {
  createToken,
  listTokens,
  revokeToken,
  checkToken,
  findTokenByHash,
  judgeToken,
  tokenRevocationCount,
  usableTokenCount,
  scopeAllows,
  parseDuration,
  hashToken,
  TOKEN_SCOPES,
} from './tokens.js';
export type { TokenRecord, TokenScope, TokenCheck } from './tokens.js';
export {
  listTree,
  readFileEntry,
  openFileContent,
  openFileContentBatches,
  checkResourcePath,
} from './browse.js';
export type { TreeFile, TreePage } from './browse.js';
export { sampleToNpy, sampleToPng, sampleToJson, isImageSample } from './samples.js';
export { loadAssetPipeline, loadStagingPipeline } from './asset-pipeline.js';
export type { AssetPipeline, StagingPipeline } from './asset-pipeline.js';
// Jobs (src/jobs/): large work split into tasks, run by local worker processes or BullMQ workers;
// job records in the catalog.
export { openRepositoryJobQueue, jobQueueLocation } from '../backends/repository-jobs.js';
export { startWorkerProcesses } from '../jobs/local/worker-processes.js';
export type { WorkerProcessOptions, WorkerProcessPool } from '../jobs/local/worker-processes.js';
export { isTerminalJobState } from '../jobs/port.js';
export type {
  JobQueue,
  JobRecord,
  JobState,
  JobCounts,
  JobTaskError,
  JobWorkerInfo,
  JobWorker,
  CreateJobOptions,
  TaskSpec,
  TaskLease,
  TaskHandler,
  TaskContext,
  WorkerOptions,
  JobProgressEvent,
  RetryPolicy as JobRetryPolicy,
} from '../jobs/port.js';
export type { JobQueueLocation } from '../jobs/open-job-queue.js';
export * from './remote.js';
export { readPartialClone } from '../repo/partial-clone.js';
export { prefetchData } from './prefetch-data.js';
export type { PrefetchOptions, PrefetchResult } from './prefetch-data.js';
export type { PartialClone } from '../repo/partial-clone.js';
