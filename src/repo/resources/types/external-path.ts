import { isAbsolute, relative, resolve } from 'node:path';
import { InvalidArgumentError } from '../../../errors/index.js';
import { checkExternalRealPath } from '../real-path.js';

/**
 * Checks the folder of an external resource (a local folder or a git repository elsewhere on
 * disk) and returns it absolute: it must not be, contain or lie inside the repository, whose own
 * folders are `folder` resources. Symlinks on the way are resolved first (the real folder is what
 * gets checked and recorded), so a link can neither smuggle the repository in nor redirect later
 * writes.
 */
export function checkExternalPath(repoRoot: string, path: string, cwd: string): string {
  if (path.trim() === '') throw new InvalidArgumentError('resource path is empty', { path });
  if (path.includes('\u0000')) throw new InvalidArgumentError('resource path contains NUL', { path });
  // Judged first as written (a plain mistake gets a plain message), then where it really is.
  const abs = resolve(cwd, path);
  const root = resolve(repoRoot);
  const fromRepo = relative(root, abs);
  const toRepo = relative(abs, root);
  const inside = fromRepo === '' || (!fromRepo.startsWith('..') && !isAbsolute(fromRepo));
  const contains = toRepo === '' || (!toRepo.startsWith('..') && !isAbsolute(toRepo));
  if (inside || contains) {
    throw new InvalidArgumentError(
      `'${path}' is inside the repository or contains it; register folders of the repository with 'strata resource add PATH'`,
      { path: abs, root: repoRoot },
    );
  }
  // A link elsewhere on disk may lead back into the repository; the real folder is recorded, so a
  // link swapped in later cannot redirect writes.
  return checkExternalRealPath(repoRoot, abs);
}

/** Opens an external resource's folder: its real path, checked to lie outside the repository. */
export function openExternalPath(repoRoot: string, path: string): string {
  return checkExternalRealPath(repoRoot, path);
}
