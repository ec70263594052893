import type { Repository } from '../repository.js';
import { walkReachable, type ObjectProblem } from './reachable.js';

/** What `fsck` found. */
export interface FsckReport {
  readonly ok: boolean;
  /** Reachable objects checked. */
  readonly objects: number;
  readonly problems: readonly ObjectProblem[];
}

/**
 * Re-reads and re-hashes every object reachable from a ref and names each one that is missing,
 * corrupt or malformed, with what referred to it.
 */
export async function fsck(
  repo: Repository,
  options: { onProgress?: (visited: number) => void } = {},
): Promise<FsckReport> {
  const { reachable, problems } = await walkReachable(repo, {
    verifyContents: true,
    onProgress: options.onProgress,
  });
  return { ok: problems.length === 0, objects: reachable.size, problems };
}
