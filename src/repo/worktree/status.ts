import { hashFileContentSync } from '../../store/chunked/index.js';
import { diffTrees, type FileChange } from '../diff/diff-trees.js';
import { createNodeSource } from '../merkle/read-map.js';
import { encodeRootTree, type RootTree } from '../objects/commit-object.js';
import { readCommitTree } from '../objects/read-objects.js';
import { readHead, type HeadState } from '../refs/refs.js';
import type { Repository } from '../repository.js';
import { hashBytes } from '../../util/hash.js';
import { readWorkingState, rememberHashes, type WorkingState } from './working-state.js';

/** What `status` reports. */
export interface StatusReport extends HeadState {
  readonly changes: readonly FileChange[];
  /** Files that had to be read because the stat cache could not vouch for them. */
  readonly hashed: number;
  /** Entries of the working folders that cannot be versioned (FIFOs, sockets, devices, non-UTF-8 names). */
  readonly skipped: WorkingState['skipped'];
}

/** Reads the working state by hashing (never storing) what the stat cache cannot vouch for. */
export async function readWorkingStateForCompare(
  repo: Repository,
  options: { base?: RootTree; onHashed?: (done: number, total: number) => void } = {},
): Promise<WorkingState> {
  const state = await readWorkingState(repo, {
    hashFile: async (f) => hashFileContentSync(f.abs, { scannedSize: f.size }),
    base: options.base,
    onHashed: options.onHashed,
  });
  await rememberHashes(repo, state);
  return state;
}

/** Compares a working state with a stored tree, reading only the stored nodes that differ. */
export async function diffWorkingState(
  repo: Repository,
  base: RootTree,
  state: WorkingState,
): Promise<FileChange[]> {
  if (sameResources(base, state.tree)) return [];
  const source = createNodeSource((id) => repo.store.get(id), { overlay: state.overlay });
  return diffTrees(source, base, state.tree);
}

/** True when two trees hold the same resources with the same content (other sections aside). */
export function sameResources(a: RootTree, b: RootTree): boolean {
  return (
    hashBytes(encodeRootTree({ resources: a.resources })) ===
    hashBytes(encodeRootTree({ resources: b.resources }))
  );
}

/** The changes in the working folders since HEAD's commit. */
export async function status(
  repo: Repository,
  options: { onHashed?: (done: number, total: number) => void } = {},
): Promise<StatusReport> {
  const head = await readHead(repo);
  const base = await readCommitTree(repo, head.commit);
  const state = await readWorkingStateForCompare(repo, { ...options, base });
  return {
    ...head,
    changes: await diffWorkingState(repo, base, state),
    hashed: state.hashed,
    skipped: state.skipped,
  };
}
