import { createNodeSource } from '../merkle/read-map.js';
import { readCommitTree } from '../objects/read-objects.js';
import { resolveRevision } from '../refs/refs.js';
import type { Repository } from '../repository.js';
import { diffWorkingState, readWorkingStateForCompare } from '../worktree/status.js';
import { diffTrees, type FileChange } from './diff-trees.js';

/**
 * Differences from revision `a` to revision `b`, or to the working folders when `b` is omitted;
 * with neither, from HEAD to the working folders. `a = null` stands for the empty state before
 * the first commit.
 */
export async function diffRevisions(
  repo: Repository,
  a: string | null = 'HEAD',
  b?: string,
): Promise<FileChange[]> {
  const left = await readCommitTree(repo, a === null ? null : (await resolveRevision(repo, a)).commit);
  if (b === undefined)
    return diffWorkingState(repo, left, await readWorkingStateForCompare(repo, { base: left }));
  const right = await readCommitTree(repo, (await resolveRevision(repo, b)).commit);
  return diffTrees(
    createNodeSource((id) => repo.store.get(id)),
    left,
    right,
  );
}
