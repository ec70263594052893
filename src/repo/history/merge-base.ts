import type { ObjectId } from '../../util/hash.js';
import { readCommit } from '../objects/read-objects.js';
import type { Repository } from '../repository.js';

/** Every ancestor of `start` (itself included). */
async function ancestors(repo: Repository, start: ObjectId): Promise<Set<ObjectId>> {
  const seen = new Set<ObjectId>();
  const queue = [start];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(await readCommit(repo, id)).parents);
  }
  return seen;
}

/**
 * The best common ancestor of two commits: walks `b`'s history breadth-first and returns the first
 * commit that is also an ancestor of `a`, so the nearest one wins. Null when the histories share
 * nothing.
 */
export async function mergeBase(repo: Repository, a: ObjectId, b: ObjectId): Promise<ObjectId | null> {
  const ofA = await ancestors(repo, a);
  const seen = new Set<ObjectId>();
  let level = [b];
  while (level.length > 0) {
    const next: ObjectId[] = [];
    for (const id of level) {
      if (ofA.has(id)) return id;
      if (seen.has(id)) continue;
      seen.add(id);
      next.push(...(await readCommit(repo, id)).parents);
    }
    level = next;
  }
  return null;
}
