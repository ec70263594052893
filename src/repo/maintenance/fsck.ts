import type { Repository } from '../repository.js';
import { walkReachable, type AbsentByDesign, type ObjectProblem } from './reachable.js';

/** What `fsck` found. */
export interface FsckReport {
  readonly ok: boolean;
  /** Reachable objects checked. */
  readonly objects: number;
  readonly problems: readonly ObjectProblem[];
  /** In a partial clone: objects absent by design (on the remote), not problems. */
  readonly absent?: AbsentByDesign;
}

/**
 * Re-reads and re-hashes every object reachable from a ref and names each one that is missing,
 * corrupt or malformed, with what referred to it. In a partial clone, contents it never fetched
 * and history beyond its shallow edge are counted in `absent`, not reported as problems.
 */
export async function fsck(
  repo: Repository,
  options: { onProgress?: (visited: number) => void } = {},
): Promise<FsckReport> {
  const { reachable, problems, absent } = await walkReachable(repo, {
    verifyContents: true,
    onProgress: options.onProgress,
  });
  const partial = absent.contents > 0 || absent.history > 0;
  return { ok: problems.length === 0, objects: reachable.size, problems, ...(partial ? { absent } : {}) };
}
