import { DETACHED_HEAD, type CurrentLineageStore, type WorkingFolderIdentity } from '../catalog/catalog.js';
import type { HeadState } from '../repo/refs/refs.js';
import { parseLineage, type LineageState } from './lineage-types.js';

/**
 * Whose current lineage: a branch's, or the detached HEAD's (one state, reset by every checkout
 * that detaches HEAD).
 */
export type LineageKey = { readonly branch: string } | { readonly detached: true };

/** The key HEAD selects: its branch, or the detached state. */
export function lineageKeyOf(head: HeadState): LineageKey {
  return head.branch !== null ? { branch: head.branch } : { detached: true };
}

/**
 * Where the current lineage of each branch of this working folder lives. Only this port knows the
 * storage: catalog rows keyed by working folder and branch (another working folder of a shared
 * repository sees the steps once they are committed). Callers serialise read-modify-write with
 * the lineage lock (see `updateCurrentLineage`).
 */
export interface LineageStore {
  /** The state recorded for `key`, or undefined when none was ever written. */
  read(key: LineageKey): Promise<LineageState | undefined>;
  /** Replaces the state of `key` atomically (the old or the new state, never a mix). */
  write(key: LineageKey, state: LineageState): Promise<void>;
  /** Forgets the state of `key` (a deleted branch); nothing when there is none. */
  remove(key: LineageKey): Promise<void>;
}

/** The type tag of a stored current lineage. */
export const CURRENT_LINEAGE_TYPE = 'strata/current-lineage@1';

function headOf(key: LineageKey): string {
  return 'branch' in key ? key.branch : DETACHED_HEAD;
}

function describe(key: LineageKey): string {
  return 'branch' in key ? `the current lineage of branch '${key.branch}'` : 'the detached HEAD’s lineage';
}

/** The lineage store over the catalog's `CurrentLineageStore`, for this working folder. */
export function createCatalogLineageStore(
  catalog: CurrentLineageStore & WorkingFolderIdentity,
): LineageStore {
  return {
    async read(key) {
      const text = await catalog.readLineage(await catalog.workingFolderId(), headOf(key));
      return text === undefined ? undefined : parseLineage(text, describe(key));
    },
    async write(key, state) {
      const steps = [...state.steps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const text = JSON.stringify({ type: CURRENT_LINEAGE_TYPE, steps });
      await catalog.writeLineage(await catalog.workingFolderId(), headOf(key), text);
    },
    async remove(key) {
      await catalog.removeLineage(await catalog.workingFolderId(), headOf(key));
    },
  };
}
