import { isAbsolute, join, relative, resolve } from 'node:path';
import { CorruptObjectError } from '../../../errors/index.js';
import { STRATA_DIR } from '../../repository.js';
import { checkFolderRealPath } from '../real-path.js';
import { checkResourcePath } from '../resource-path.js';
import { checkExternalPath, openExternalPath } from './external-path.js';

/** True when `abs` lies strictly inside the repository's folder. */
function insideRepository(repoRoot: string, abs: string): boolean {
  const rel = relative(resolve(repoRoot), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Checks the folder of a resource that may lie inside the repository (recorded relative to it,
 * like a folder resource, so a clone finds it in the same place) or elsewhere on disk (recorded
 * absolute): a git repository, an rclone copy. Symbolic links are judged as for those types.
 */
export function checkInnerOrExternalPath(repoRoot: string, path: string, cwd: string): string {
  if (!insideRepository(repoRoot, resolve(cwd, path))) return checkExternalPath(repoRoot, path, cwd);
  const recorded = checkResourcePath(repoRoot, path, cwd);
  checkFolderRealPath(repoRoot, recorded);
  return recorded;
}

/** The absolute folder of a path recorded by `checkInnerOrExternalPath`. */
export const locateInnerOrExternal = (repoRoot: string, path: string): string =>
  isAbsolute(path) ? path : join(repoRoot, path);

/** Opens such a folder through its real path (see `checkFolderRealPath`, `openExternalPath`). */
export const openInnerOrExternal = (repoRoot: string, path: string): string =>
  isAbsolute(path) ? openExternalPath(repoRoot, path) : checkFolderRealPath(repoRoot, path);

/**
 * Checks such a location read from a stored tree (a tree is data, and a crafted one must not lead
 * a restore elsewhere): relative ones as safe paths inside the repository, absolute ones without
 * `..`.
 */
export function checkInnerOrExternalLocation(path: string): string {
  const parts = path.split('/');
  const unsafe = path.startsWith('/')
    ? parts.includes('..')
    : path === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p === STRATA_DIR);
  if (unsafe || path.includes('\u0000')) {
    throw new CorruptObjectError(`refusing unsafe resource path '${path}' found in a stored tree`, { path });
  }
  return path;
}
