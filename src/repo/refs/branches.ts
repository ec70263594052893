import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  RefNameClashError,
} from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { Repository } from '../repository.js';
import { BRANCH_PREFIX, TAG_PREFIX, branchRef, checkRefName, tagRef } from './ref-name.js';
import { readHead, resolveRevision, type HeadState } from './refs.js';

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

/** Hex digits a revision may abbreviate a commit id to (4 to 64, as `strata log` prints 12). */
const COMMIT_ID_LIKE = /^[0-9a-f]{4,64}$/;

/**
 * Checks a name for a new branch or tag: a valid ref name, not taken, and not one a revision
 * could read another way. Refused (`RefNameClashError`): a name of 4 to 64 hex digits (a commit
 * id prefix), a tag named like a branch, a branch named like a tag.
 */
export async function checkNewRefName(repo: Repository, name: string, kind: 'branch' | 'tag'): Promise<void> {
  checkRefName(name, kind);
  if (COMMIT_ID_LIKE.test(name)) {
    throw new RefNameClashError(
      `cannot name a ${kind} '${name}': it looks like a commit id prefix; choose a name with a non-hex letter`,
      { name, kind, clashesWith: 'commit' },
    );
  }
  const own = kind === 'branch' ? branchRef(name) : tagRef(name);
  if (await repo.catalog.getRef(own))
    throw new AlreadyExistsError(`${kind} '${name}' exists already`, { what: kind, name });
  const other = kind === 'branch' ? 'tag' : 'branch';
  if (await repo.catalog.getRef(other === 'branch' ? branchRef(name) : tagRef(name))) {
    throw new RefNameClashError(
      `cannot name a ${kind} '${name}': a ${other} has that name, so '${name}' would mean two commits`,
      { name, kind, clashesWith: other },
    );
  }
}

/** Creates a branch at `start` (default HEAD). Does not switch to it. */
export async function createBranch(repo: Repository, name: string, start = 'HEAD'): Promise<BranchInfo> {
  await checkNewRefName(repo, name, 'branch');
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

/** HEAD, the branches and the tags, read together. */
export interface RefsSnapshot {
  readonly head: HeadState;
  readonly branches: BranchInfo[];
  readonly tags: TagInfo[];
}

/**
 * HEAD, branches and tags from one catalog read: what `readHead`, `listBranches` and `listTags`
 * give, but consistent with each other and in one query instead of six (the server's `/api/refs`).
 */
export async function readRefs(repo: Repository): Promise<RefsSnapshot> {
  const refs = await repo.catalog.listRefs();
  const byName = new Map(refs.map((r) => [r.name, r]));
  const headRef = byName.get('HEAD');
  let head: HeadState;
  if (!headRef) head = { branch: 'main', commit: null };
  else if (headRef.symbolic) {
    const symbolic = headRef.symbolic;
    const branch = symbolic.startsWith(BRANCH_PREFIX) ? symbolic.slice(BRANCH_PREFIX.length) : symbolic;
    head = { branch, commit: byName.get(symbolic)?.target ?? null };
  } else head = { branch: null, commit: headRef.target };
  const branches: BranchInfo[] = [];
  const tags: TagInfo[] = [];
  for (const r of refs) {
    if (!r.target) continue;
    if (r.name.startsWith(BRANCH_PREFIX)) {
      const name = r.name.slice(BRANCH_PREFIX.length);
      branches.push({ name, head: r.target, current: head.branch === name });
    } else if (r.name.startsWith(TAG_PREFIX))
      tags.push({ name: r.name.slice(TAG_PREFIX.length), commit: r.target });
  }
  return { head, branches, tags };
}

/** Tags a commit. Tags never move: an existing name is refused. */
export async function createTag(repo: Repository, name: string, revision = 'HEAD'): Promise<TagInfo> {
  await checkNewRefName(repo, name, 'tag');
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
