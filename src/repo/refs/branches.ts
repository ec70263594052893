import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { Repository } from '../repository.js';
import { BRANCH_PREFIX, TAG_PREFIX, branchRef, checkRefName, tagRef } from './ref-name.js';
import { readHead, resolveRevision } from './refs.js';

export interface BranchInfo {
  readonly name: string;
  readonly head: ObjectId;
  readonly current: boolean;
}

export async function listBranches(repo: Repository): Promise<BranchInfo[]> {
  const head = await readHead(repo);
  const refs = await repo.catalog.listRefs(BRANCH_PREFIX);
  return refs
    .filter((r) => r.target)
    .map((r) => {
      const name = r.name.slice(BRANCH_PREFIX.length);
      return { name, head: r.target!, current: head.branch === name };
    });
}

/** Creates a branch at `start` (default HEAD). Does not switch to it. */
export async function createBranch(repo: Repository, name: string, start = 'HEAD'): Promise<BranchInfo> {
  checkRefName(name, 'branch');
  if (await repo.catalog.getRef(branchRef(name))) {
    throw new AlreadyExistsError(`branch '${name}' exists already`, { what: 'branch', name });
  }
  const { commit } = await resolveRevision(repo, start);
  await repo.catalog.updateRef(branchRef(name), commit, null);
  return { name, head: commit, current: false };
}

/** Deletes a branch; never the one HEAD follows. Its commits stay until `gc` finds them unreachable. */
export async function deleteBranch(repo: Repository, name: string): Promise<ObjectId> {
  const ref = await repo.catalog.getRef(branchRef(name));
  if (!ref?.target) throw new NotFoundError(`no branch named '${name}'`, { what: 'branch', name });
  const head = await readHead(repo);
  if (head.branch === name) {
    throw new InvalidArgumentError(
      `cannot delete branch '${name}': it is the current branch; check out another first`,
      { name },
    );
  }
  await repo.catalog.deleteRef(branchRef(name), ref.target);
  return ref.target;
}

export interface TagInfo {
  readonly name: string;
  readonly commit: ObjectId;
}

export async function listTags(repo: Repository): Promise<TagInfo[]> {
  const refs = await repo.catalog.listRefs(TAG_PREFIX);
  return refs
    .filter((r) => r.target)
    .map((r) => ({ name: r.name.slice(TAG_PREFIX.length), commit: r.target! }));
}

/** Tags a commit. Tags never move: an existing name is refused. */
export async function createTag(repo: Repository, name: string, revision = 'HEAD'): Promise<TagInfo> {
  checkRefName(name, 'tag');
  if (await repo.catalog.getRef(tagRef(name)))
    throw new AlreadyExistsError(`tag '${name}' exists already`, { what: 'tag', name });
  const { commit } = await resolveRevision(repo, revision);
  await repo.catalog.updateRef(tagRef(name), commit, null);
  return { name, commit };
}

export async function deleteTag(repo: Repository, name: string): Promise<ObjectId> {
  const ref = await repo.catalog.getRef(tagRef(name));
  if (!ref?.target) throw new NotFoundError(`no tag named '${name}'`, { what: 'tag', name });
  await repo.catalog.deleteRef(tagRef(name), ref.target);
  return ref.target;
}
