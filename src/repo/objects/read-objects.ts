import { NotFoundError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { Repository } from '../repository.js';
import { decodeCommit, decodeRootTree, type Commit, type RootTree } from './commit-object.js';

/** Reads and decodes a commit; an unknown id is a NotFoundError naming it. */
export async function readCommit(repo: Repository, id: ObjectId): Promise<Commit> {
  try {
    return decodeCommit(await repo.store.get(id), id);
  } catch (err) {
    if ((err as { code?: string }).code === 'E_NOT_FOUND') {
      throw new NotFoundError(`commit ${id} is not in the object store`, { what: 'commit', id });
    }
    throw err;
  }
}

export async function readRootTree(repo: Repository, id: ObjectId): Promise<RootTree> {
  return decodeRootTree(await repo.store.get(id), id);
}

/** The root tree of a commit, or an empty one for "no commit" (an unborn branch). */
export async function readCommitTree(repo: Repository, commit: ObjectId | null): Promise<RootTree> {
  if (!commit) return { resources: {} };
  return readRootTree(repo, (await readCommit(repo, commit)).tree);
}
