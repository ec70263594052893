import { isPerCommitSection } from '../../repo/commit/create-commit.js';
import { readCommit, readCommitTree } from '../../repo/objects/read-objects.js';
import type { Repository } from '../../repo/repository.js';
import { canonicalJson } from '../../util/canonical-json.js';
import type { ObjectId } from '../../util/hash.js';

/**
 * A section that belongs to one snapshot only (`metrics`, `results`) as that snapshot made it, or
 * undefined when the snapshot made none. Sections written since they are marked `perCommit` are
 * never inherited, so they are taken as they are. Older commits made by a merge or a column commit
 * copied their first parent's section: an unmarked section equal to the first parent's is that
 * copy, not the commit's own.
 */
export async function ownSection(
  repo: Repository,
  id: ObjectId,
  tree: Readonly<Record<string, unknown>>,
  name: string,
): Promise<unknown> {
  const value = tree[name];
  if (value === undefined || value === null || isPerCommitSection(value)) return value ?? undefined;
  const parent = (await readCommit(repo, id)).parents[0];
  if (parent === undefined) return value;
  const inherited = (await readCommitTree(repo, parent))[name];
  return canonicalJson(inherited) === canonicalJson(value) ? undefined : value;
}
