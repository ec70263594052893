import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import { STRATA_DIR } from '../repository.js';

/**
 * Checks a resource path given relative to `cwd` and returns it relative to the repository root
 * with `/` separators. Refuses absolute paths, `..` segments, the root itself, `.strata`, and
 * anything outside the repository: a resource must be a folder the repository owns.
 */
export function checkResourcePath(repoRoot: string, path: string, cwd = process.cwd()): string {
  if (path.trim() === '') throw new InvalidArgumentError('resource path is empty', { path });
  if (isAbsolute(path)) {
    throw new InvalidArgumentError(
      `resource path '${path}' is absolute; give a path inside the repository, relative to it`,
      { path },
    );
  }
  if (path.split(/[\\/]/).includes('..')) {
    throw new InvalidArgumentError(`resource path '${path}' contains '..'`, { path });
  }
  const rel = relative(repoRoot, resolve(cwd, path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidArgumentError(`resource path '${path}' is outside the repository or is its root`, {
      path,
      root: repoRoot,
    });
  }
  const posix = rel.split(sep).join('/');
  if (posix === STRATA_DIR || posix.startsWith(STRATA_DIR + '/')) {
    throw new InvalidArgumentError(`resource path '${path}' is inside ${STRATA_DIR}/`, { path });
  }
  return posix;
}
