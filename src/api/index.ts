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
export {
  Repository,
  initRepository,
  openRepository,
  findRepositoryRoot,
  STRATA_DIR,
} from '../repo/repository.js';
export type { InitOptions } from '../repo/repository.js';
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
export { status } from '../repo/worktree/status.js';
export type { StatusReport } from '../repo/worktree/status.js';
export { commit } from '../repo/commit/create-commit.js';
export type { CommitOptions, CommitResult } from '../repo/commit/create-commit.js';
export { checkout } from '../repo/worktree/checkout.js';
export type { CheckoutResult, RewriteOptions } from '../repo/worktree/checkout.js';
export { restorePaths } from '../repo/worktree/restore.js';
export type { RestoreOptions } from '../repo/worktree/restore.js';
export { diffRevisions } from '../repo/diff/diff-revisions.js';
export { changeToJson } from '../repo/diff/diff-trees.js';
export type { FileChange, ChangeKind } from '../repo/diff/diff-trees.js';
export { log } from '../repo/history/log.js';
export type { LogEntry, LogOptions } from '../repo/history/log.js';
export { readHead, resolveRevision } from '../repo/refs/refs.js';
export type { HeadState } from '../repo/refs/refs.js';
export {
  listBranches,
  createBranch,
  deleteBranch,
  listTags,
  createTag,
  deleteTag,
} from '../repo/refs/branches.js';
export type { BranchInfo, TagInfo } from '../repo/refs/branches.js';
export { readCommit, readCommitTree } from '../repo/objects/read-objects.js';
export type { Commit, RootTree, ResourceSnapshot } from '../repo/objects/commit-object.js';
export { fsck } from '../repo/maintenance/fsck.js';
export type { FsckReport } from '../repo/maintenance/fsck.js';
export { gc } from '../repo/maintenance/gc.js';
export type { GcReport } from '../repo/maintenance/gc.js';
export { listLocks, releaseLocks } from '../repo/maintenance/lock-admin.js';
export type { LockStatus, ReleasedLock } from '../repo/maintenance/lock-admin.js';
export * from '../errors/index.js';
