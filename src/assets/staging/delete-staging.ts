import { existsSync, rmSync } from 'node:fs';
import { withLocks } from '../../repo/commit/locks.js';
import type { Repository } from '../../repo/repository.js';
import { type RecoveryReport } from './move-journal.js';
import { recoverStaging, STAGING_LOCK } from './create-staging.js';
import { stagingLayout } from './staging-layout.js';
import { stagingPathInRepository } from './staging-resource.js';

/** What `deleteStaging` did: the shape of `strata assets delete --json`. */
export interface DeleteResult {
  /** True when there was staged content or metadata to remove. */
  readonly deleted: boolean;
  readonly staging: string;
  readonly recovered?: RecoveryReport;
}

/**
 * `delete`: removes `<staging>/content` and `<staging>/metadata`. The commits that versioned
 * earlier stagings stay (restore brings them back). An interrupted move is rolled back first, so
 * a file that was never committed is returned to the ingress folder instead of being deleted.
 */
export async function deleteStaging(repo: Repository, stagingRoot: string): Promise<DeleteResult> {
  const staging = stagingPathInRepository(repo, stagingRoot);
  return withLocks(repo, [STAGING_LOCK], async () => {
    const recovered = await recoverStaging(repo, 'rollback');
    const layout = stagingLayout(stagingRoot);
    const deleted = existsSync(layout.content) || existsSync(layout.metadata);
    rmSync(layout.content, { recursive: true, force: true });
    rmSync(layout.metadata, { recursive: true, force: true });
    return { deleted, staging, ...(recovered ? { recovered } : {}) };
  });
}
