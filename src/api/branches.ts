import { lineageStore, readCurrentLineage, updateCurrentLineage } from '../lineage/lineage-state.js';
import {
  createBranch as createBranchRef,
  deleteBranch as deleteBranchRef,
  type BranchInfo,
} from '../repo/refs/branches.js';
import { readHead } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import {
  checkout as checkoutFiles,
  type CheckoutResult,
  type RewriteOptions,
} from '../repo/worktree/checkout.js';

// Branch verbs that also carry the per-branch state of capabilities above the repository (the
// current lineage): the repository layer moves refs, these keep the lineage with its branch.

/**
 * Creates a branch at `start` (default HEAD). Does not switch to it. A branch made from the
 * current one (`start` omitted, `HEAD`, `@` or the current branch's name) gets a copy of its
 * current lineage, steps not yet committed included; any other starts from the lineage saved in
 * its start commit.
 */
export async function createBranch(repo: Repository, name: string, start = 'HEAD'): Promise<BranchInfo> {
  const head = await readHead(repo);
  const fromCurrent = start === 'HEAD' || start === '@' || (head.branch !== null && start === head.branch);
  const lineage = fromCurrent ? await readCurrentLineage(repo) : undefined;
  const info = await createBranchRef(repo, name, start);
  const key = { branch: name };
  // A state left by an earlier branch of the same name never leaks into the new one.
  if (lineage === undefined) await lineageStore(repo).remove(key);
  else await updateCurrentLineage(repo, () => lineage, { key });
  return info;
}

/** Deletes a branch (never the current one) and its current lineage. */
export async function deleteBranch(repo: Repository, name: string): Promise<ObjectId> {
  const was = await deleteBranchRef(repo, name);
  await lineageStore(repo).remove({ branch: name });
  return was;
}

/**
 * Makes the working folders match a revision and moves HEAD there (see the repository's
 * `checkout`). The current lineage follows HEAD: a branch's own, or for a detached HEAD a fresh
 * state starting from the lineage saved in the commit checked out.
 */
export async function checkout(
  repo: Repository,
  revision: string,
  options: RewriteOptions = {},
): Promise<CheckoutResult> {
  const result = await checkoutFiles(repo, revision, options);
  if (result.branch === null) await lineageStore(repo).remove({ detached: true });
  return result;
}
