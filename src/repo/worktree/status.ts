import { hashFileContentSync } from '../../store/chunked/index.js';
import { diffTrees, type FileChange } from '../diff/diff-trees.js';
import { createNodeSource } from '../merkle/read-map.js';
import { encodeRootTree, type ResourceSnapshot, type RootTree } from '../objects/commit-object.js';
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

/**
 * How many files differ between a stored tree and a working state, as `diffWorkingState` would
 * list them, without listing them: a resource on one side only (every file of a first commit)
 * counts its recorded files instead of becoming one change object per file.
 */
export async function countWorkingChanges(
  repo: Repository,
  base: RootTree,
  state: WorkingState,
): Promise<number> {
  if (sameResources(base, state.tree)) return 0;
  let count = 0;
  const left: Record<string, ResourceSnapshot> = {};
  const right: Record<string, ResourceSnapshot> = {};
  for (const name of new Set([...Object.keys(base.resources), ...Object.keys(state.tree.resources)])) {
    const before = base.resources[name];
    const after = state.tree.resources[name];
    const alone = before && after ? undefined : (before ?? after)!;
    // A one-sided resource recording no files is listed after all: an empty count must be proven.
    if (alone && alone.files > 0) {
      count += alone.files;
      continue;
    }
    if (before) left[name] = before;
    if (after) right[name] = after;
  }
  const source = createNodeSource((id) => repo.store.get(id), { overlay: state.overlay });
  return count + (await diffTrees(source, { resources: left }, { resources: right })).length;
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
