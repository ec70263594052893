import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from '../repo/repository.js';
import type { HeadState } from '../repo/refs/refs.js';
import { fsyncDir, writeFileDurable } from '../util/durable-fs.js';
import { hashBytes } from '../util/hash.js';
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
 * Where the current lineage of each branch lives. Only this port knows the storage: today one
 * file per branch under `.strata/lineage/`, later catalog rows (the shared-deployment issue).
 * Callers serialise read-modify-write with the lineage lock (see `updateCurrentLineage`).
 */
export interface LineageStore {
  /** The state recorded for `key`, or undefined when none was ever written. */
  read(key: LineageKey): LineageState | undefined;
  /** Replaces the state of `key`, crash-safely (the old or the new state, never a mix). */
  write(key: LineageKey, state: LineageState): void;
  /** Forgets the state of `key` (a deleted branch); nothing when there is none. */
  remove(key: LineageKey): void;
  /**
   * The lineage kept before it was per branch, handed over once: returns it and forgets it.
   * The first branch to read its lineage after an upgrade adopts it.
   */
  takeLegacy(): LineageState | undefined;
}

const CURRENT_TYPE = 'strata/current-lineage@1';

/**
 * A branch's file name: percent-encoded (a `/` in a name makes no folder), or for a name whose
 * encoding would come near the filesystem's 255-byte limit, a hash of it.
 */
function fileNameOf(branch: string): string {
  const encoded = encodeURIComponent(branch);
  return encoded.length <= 150 ? encoded : `%~${hashBytes(Buffer.from(branch, 'utf8'))}`;
}

/** The file-per-branch store under `.strata/lineage/` (branch names are percent-encoded). */
export function createFileLineageStore(repo: Repository): LineageStore {
  const dir = join(repo.strataDir, 'lineage');
  const pathOf = (key: LineageKey) =>
    'branch' in key ? join(dir, 'branches', `${fileNameOf(key.branch)}.json`) : join(dir, 'detached.json');
  const readFile = (path: string): LineageState | undefined => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw err;
    }
    return parseLineage(text, path);
  };
  return {
    read: (key) => readFile(pathOf(key)),
    write(key, state) {
      const steps = [...state.steps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      writeFileDurable(pathOf(key), JSON.stringify({ type: CURRENT_TYPE, steps }, null, 2) + '\n');
    },
    remove(key) {
      const path = pathOf(key);
      if (!existsSync(path)) return;
      rmSync(path, { force: true });
      fsyncDir(join(path, '..'));
    },
    takeLegacy() {
      const legacy = join(dir, 'current.json');
      const state = readFile(legacy);
      if (state === undefined) return undefined;
      // Renamed, not deleted: an older Strata run later finds nothing, this one never reads it again.
      try {
        renameSync(legacy, join(dir, 'current.json.adopted'));
      } catch (err) {
        // Another process adopted it a moment ago: the same state, handed to the same branch.
        if ((err as { code?: string }).code !== 'ENOENT') throw err;
      }
      return state;
    },
  };
}
