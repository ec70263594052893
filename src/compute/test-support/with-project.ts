import assert from 'node:assert/strict';
import { createTempRepo } from '../../repo/test-support/temp-repo.js';
import { heldClaimCount } from '../claims.js';
import { inflightCount } from '../compute-engine.js';
import { openComputeProject, type ComputeProject } from '../compute-project.js';
import { withSqliteComputePort } from './sqlite-compute-port.js';

/**
 * Runs `work` with a compute project on a fresh temp repository, then closes and removes both and
 * checks that nothing was left in flight or claimed.
 */
export async function withProject(
  work: (project: ComputeProject, root: string) => Promise<void>,
): Promise<void> {
  const t = await createTempRepo({});
  const project = await openComputeProject(withSqliteComputePort(t.repo));
  try {
    await work(project, t.root);
  } finally {
    await project.close();
    await t.done();
  }
  assert.equal(inflightCount(), 0, 'no compute left in flight');
  assert.equal(heldClaimCount(), 0, 'no claim left held');
}
