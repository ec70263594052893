import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { ResourceSymlinkError } from '../../errors/index.js';

/**
 * The real path of `abs` with every symbolic link resolved; when `abs` does not exist (yet), that
 * of its nearest existing ancestor with the missing part appended, so a folder about to be created
 * is judged by where it would really land.
 */
export function realPathOf(abs: string): string {
  let missing = '';
  let current = abs;
  for (;;) {
    try {
      const real = realpathSync(current);
      return missing ? join(real, missing) : real;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const parent = dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw err;
      missing = missing ? join(basename(current), missing) : basename(current);
      current = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Checks a folder resource (`path` relative to the repository) through its real path: no part of
 * it may be a symbolic link, whether it points out of the repository (`data -> /etc`) or to another
 * folder inside it (two names for one folder would let resources overlap unseen). Returns the
 * absolute folder.
 */
export function checkFolderRealPath(repoRoot: string, path: string): string {
  const abs = join(repoRoot, path);
  const expected = join(realPathOf(repoRoot), path);
  const real = realPathOf(abs);
  if (real !== expected) {
    const outside = !isInside(real, realPathOf(repoRoot));
    throw new ResourceSymlinkError(
      outside
        ? `resource folder '${path}' is a symbolic link to ${real}, outside the repository; Strata never reads or writes through it`
        : `resource folder '${path}' goes through a symbolic link to ${real}; register the real folder instead`,
      { path, realPath: real, outside },
    );
  }
  return abs;
}

/**
 * Checks a folder elsewhere on disk (a `local` or `git` resource) through its real path: it must
 * not really be, contain or lie inside the repository. Returns its real path.
 */
export function checkExternalRealPath(repoRoot: string, abs: string): string {
  const real = realPathOf(abs);
  const root = realPathOf(repoRoot);
  if (isInside(real, root) || isInside(root, real)) {
    throw new ResourceSymlinkError(
      `'${abs}' points to ${real}, which is inside the repository or contains it; register folders of the repository with 'strata resource add PATH'`,
      { path: abs, realPath: real, outside: false },
    );
  }
  return real;
}
