import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';

/** Sets a local ref to `target` whatever it pointed at (compare-and-swap against what was read). */
export async function setLocalRef(
  repo: Repository,
  name: string,
  target: ObjectId,
): Promise<ObjectId | null> {
  const current = (await repo.catalog.getRef(name))?.target ?? null;
  if (current !== target) await repo.catalog.updateRef(name, target, current);
  return current;
}

/** True when `ancestor` is `tip` or one of its ancestors (false when this repository lacks it). */
export async function isAncestor(repo: Repository, ancestor: ObjectId, tip: ObjectId): Promise<boolean> {
  if (ancestor === tip) return true;
  if (!(await repo.store.has(ancestor))) return false;
  const { readCommit } = await import('../repo/objects/read-objects.js');
  const { isShallowEdge, readPartialClone } = await import('../repo/partial-clone.js');
  const partial = await readPartialClone(repo);
  const seen = new Set<ObjectId>();
  const stack = [tip];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === ancestor) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    // A shallow clone's walk stops at its edge: older commits are on the remote only.
    if (isShallowEdge(partial, id)) continue;
    stack.push(...(await readCommit(repo, id)).parents);
  }
  return false;
}

/** A temp folder for one transfer inside the local repository (same filesystem as its store). */
export function transferTempDir(repo: Repository, verb: string): string {
  return `${repo.strataDir}/tmp/${verb}-${process.pid}-${Date.now()}`;
}

/** `STRATA_TEST_PACK_BYTES`: smaller packs, so crash tests can stop a transfer at many points. */
export function packBytesFromEnv(): number | undefined {
  const value = Number(process.env.STRATA_TEST_PACK_BYTES ?? NaN);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
