import {
  closeSync,
  copyFileSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
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
 * Gives a finished temporary file or symlink (`temp`, on the filesystem of `target`) the name
 * `target`: what held that name is unlinked first, then `temp` is renamed onto the free name.
 * Neither step follows a symlink (a link at `target` is itself removed). A rename over an existing
 * file would be one atomic step, but ext4 (auto_da_alloc) then writes the new file out at once,
 * inside the rename: with the old file's blocks freed (and discarded) too, that made replacing
 * 1,000 small files 2-10x slower on a busy disk than unlinking first, as git does. Killed between
 * the two steps, `target` is absent and `temp` holds the new content, never a torn file: the
 * journal says the rewrite was interrupted and recovery writes the file again (its earlier content
 * was committed, or discarded by `--force`). A folder at `target` is left for the rename to refuse.
 */
export function takeName(temp: string, target: string): void {
  try {
    unlinkSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  }
  renameSync(temp, target);
}

/**
 * Writes `data` to a new file `temp` (never an existing one, never through a symlink) beside
 * `target` and gives it that name; returns the written file's stat (a rename changes neither its
 * size, mtime nor inode), saving a lookup by name. What held the name before (a file or a
 * symlink, never followed) is renamed to `aside` (a `WORKTREE_TEMP_PREFIX` name in the same
 * folder) rather than unlinked, and `movedAside` says so: the caller deletes it off the main
 * thread. Deleting a file the kernel is still writing out waits for that write (seconds for a
 * thousand small files on a busy disk, one after the other); many such deletions in parallel
 * wait together. A folder in the way is left for the rename to refuse. `temp` is removed, and
 * the old file put back, when a step fails.
 */
export function writeInPlace(
  temp: string,
  target: string,
  data: Uint8Array,
  mode: number,
  aside: string,
): { stat: Stats; movedAside: boolean } {
  let stat: Stats;
  let movedAside = false;
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
      stat = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    const old = lstatSync(target, { throwIfNoEntry: false });
    if (old && !old.isDirectory()) {
      renameSync(target, aside);
      movedAside = true;
    }
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    if (movedAside) renameSync(aside, target);
    throw err;
  }
  return { stat, movedAside };
}

/**
 * Moves a finished temporary file or symlink onto `target` (`takeName`). When `temp` is on another
 * filesystem, the file is first copied beside the target under `inFolderTemp` (a
 * `WORKTREE_TEMP_PREFIX` name), then renamed.
 */
export function moveIntoPlace(temp: string, target: string, inFolderTemp?: string): void {
  if (inFolderTemp === undefined) {
    takeName(temp, target);
    return;
  }
  copyFileSync(temp, inFolderTemp);
  try {
    takeName(inFolderTemp, target);
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
