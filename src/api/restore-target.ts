import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { toResourcePaths } from '../repo/worktree/restore.js';

/** What a restore was asked about, as `strata restore` takes it. */
export interface RestoreRequest {
  /** The positional arguments: one revision, or paths. */
  readonly targets: readonly string[];
  /** `--only` / `--leave`: given at all (even empty) means a snapshot restore. */
  readonly only?: string;
  readonly leave?: string;
  /** `--source`: given means a paths restore. */
  readonly source?: string;
  /** The folder relative paths start from. */
  readonly cwd: string;
}

/**
 * Whether a restore means a whole snapshot or paths. One target that resolves as a revision and is
 * not a path inside a resource is a snapshot (a path wins: `restore data` with a tag named `data`
 * restores the folder); `only`/`leave` always mean a snapshot, `source` always paths. A target that
 * is neither a revision nor a file here counts as a snapshot, so the caller reports the unknown
 * snapshot rather than a missing resource.
 *
 * @example
 * ```ts
 * if ((await restoreTargetKind(repo, { targets: ['v1'], cwd })) === 'snapshot') await restoreSnapshot(repo, 'v1');
 * ```
 */
export async function restoreTargetKind(
  repo: Repository,
  request: RestoreRequest,
): Promise<'snapshot' | 'paths'> {
  const { targets, cwd } = request;
  if (request.only !== undefined || request.leave !== undefined) return 'snapshot';
  if (request.source !== undefined || targets.length !== 1) return 'paths';
  const isPath = await toResourcePaths(repo, targets, cwd).then(
    () => true,
    () => false,
  );
  if (isPath) return 'paths';
  if (!existsSync(resolve(cwd, targets[0]!))) return 'snapshot';
  return resolveRevision(repo, targets[0]!).then(
    () => 'snapshot' as const,
    () => 'paths' as const,
  );
}
