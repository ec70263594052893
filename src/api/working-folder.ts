/**
 * The verbs of the everyday loop (status, commit, checkout, restore) and what their CLI commands
 * need besides, for callers that want them without the whole API: the CLI bundle turns each
 * module a command imports lazily into its own chunk, and `strata status` loading this one
 * instead of `api/index.js` compiles a third of the code (no remote protocol, ingest, assets
 * pipelines or zod schemas built at start-up). Everything here is exported by `api/index.js` too.
 */
export { openRepository } from './open-repository.js';
export { status } from './status.js';
export { commit } from './commit.js';
export { checkout, createBranch, deleteBranch } from './branches.js';
export { findInterrupted } from './interrupted.js';
export { restorePaths } from '../repo/worktree/restore.js';
export { restoreTargetKind } from './restore-target.js';
export { restoreSnapshot } from './restore-snapshot.js';
export { readHead } from '../repo/refs/refs.js';
export { listResources } from '../repo/resources/resources.js';
export { lineageStepsChanged } from '../lineage/lineage-section.js';
export { readColumnStage } from '../columns/column-record.js';
export { InvalidArgumentError } from '../errors/index.js';
