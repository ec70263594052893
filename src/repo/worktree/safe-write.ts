import { copyFileSync, lstatSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../../errors/index.js';

/**
 * Names of temporary files Strata leaves in a working folder while it replaces a file there (only
 * when the repository's own temp folder is on another filesystem). The scanner ignores them and
 * recovery deletes them; the name never derives from the file being written, so a file name close
 * to the 255-byte limit still gets a temporary name the filesystem accepts.
 */
export const WORKTREE_TEMP_PREFIX = '.strata-tmp-';

/**
 * Makes `rel` (a `/`-separated folder path under `root`, `''` for the root) a chain of real
 * folders, never following a symbolic link: each component is checked with lstat; a missing one is
 * created, a symlink is removed and replaced by a real folder (the target commit says a folder
 * belongs there; what the link pointed at is left untouched). A regular file in the way is an
 * error: it is not ours to remove. `known` caches folders already checked during one run.
 */
export function ensureRealFolder(root: string, rel: string, known: Set<string>): string {
  let abs = root;
  if (rel === '') return abs;
  let sofar = '';
  for (const part of rel.split('/')) {
    sofar = sofar ? `${sofar}/${part}` : part;
    abs = join(abs, part);
    if (known.has(abs)) continue;
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      // Replaced, not followed: writing through it would write wherever it points.
      unlinkSync(abs);
      mkdirSync(abs);
    } else if (!st) {
      mkdirSync(abs);
    } else if (!st.isDirectory()) {
      throw new ConflictError(`cannot write into '${sofar}': a file that is not a folder is in the way`, {
        path: abs,
      });
    }
    known.add(abs);
  }
  return abs;
}

/**
 * True when every folder between `root` and `rel`'s parent is a real folder (no symlink, nothing
 * missing). A file reached only through a symlinked folder is not in the working folder at all, so
 * it must never be deleted or replaced.
 */
export function hasRealParents(root: string, rel: string): boolean {
  const parts = rel.split('/');
  let abs = root;
  for (const part of parts.slice(0, -1)) {
    abs = join(abs, part);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st || !st.isDirectory()) return false;
  }
  return true;
}

/** True when `a` and `b` (existing folders) are on the same filesystem, so a rename between them works. */
export function sameFilesystem(a: string, b: string): boolean {
  return statSync(a).dev === statSync(b).dev;
}

/**
 * Moves a finished temporary file onto `target` atomically. The final component is replaced by
 * rename, which never follows a symlink there: a symlink at `target` is replaced by the file.
 * When `temp` is on another filesystem, the file is first copied beside the target under
 * `inFolderTemp` (a `WORKTREE_TEMP_PREFIX` name), then renamed.
 */
export function moveIntoPlace(temp: string, target: string, inFolderTemp?: string): void {
  if (inFolderTemp === undefined) {
    renameSync(temp, target);
    return;
  }
  copyFileSync(temp, inFolderTemp);
  try {
    renameSync(inFolderTemp, target);
  } catch (err) {
    try {
      unlinkSync(inFolderTemp);
    } catch {
      // Already gone: nothing to clean.
    }
    throw err;
  }
  unlinkSync(temp);
}
