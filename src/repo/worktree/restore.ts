import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WORKTREE_LOCK } from '../../catalog/catalog.js';
import { CannotRestoreError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { withLocks } from '../commit/locks.js';
import { getMapValue, readPrefix } from '../merkle/read-map.js';
import { readCommitTree } from '../objects/read-objects.js';
import { resolveRevision } from '../refs/refs.js';
import { readPartialClone, writePartialClone } from '../partial-clone.js';
import type { Repository } from '../repository.js';
import { rewriteWorkingFolders, type RewriteOptions } from './checkout.js';

/** A path argument mapped onto a resource: the resource name and a path prefix inside it. */
export interface ResourcePath {
  readonly resource: string;
  /** `''` for the whole resource, otherwise a file or folder path inside it. */
  readonly path: string;
}

/**
 * Maps paths given on the command line (relative to `cwd`) to resources. A path outside every
 * resource, or outside the repository, is an error naming it.
 */
export async function toResourcePaths(
  repo: Repository,
  paths: readonly string[],
  cwd = process.cwd(),
): Promise<ResourcePath[]> {
  const resources = await repo.catalog.listResources();
  return paths.map((p) => {
    const abs = resolve(cwd, p);
    // External resources (local folders, git repositories) are known by their real absolute path
    // (registration resolves symlinks), so the path typed is compared both as given and resolved.
    for (const candidate of [abs, realPathOf(abs)]) {
      for (const r of resources) {
        if (r.type === 'folder') continue;
        if (candidate === r.path) return { resource: r.name, path: '' };
        if (candidate.startsWith(r.path + sep))
          return {
            resource: r.name,
            path: candidate
              .slice(r.path.length + 1)
              .split(sep)
              .join('/'),
          };
      }
    }
    const rel = relative(repo.root, abs).split(sep).join('/');
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InvalidArgumentError(`path '${p}' is outside the repository`, { path: p });
    }
    for (const r of resources) {
      if (r.type !== 'folder') continue;
      if (rel === r.path) return { resource: r.name, path: '' };
      if (rel.startsWith(r.path + '/')) return { resource: r.name, path: rel.slice(r.path.length + 1) };
    }
    throw new NotFoundError(`path '${p}' is not inside any resource`, { what: 'resource path', path: p });
  });
}

/** `abs` with symlinks resolved in its longest existing part (the rest may have been deleted). */
function realPathOf(abs: string): string {
  const parent = dirname(abs);
  try {
    return realpathSync(abs);
  } catch {
    return parent === abs ? abs : join(realPathOf(parent), basename(abs));
  }
}

/** Options of `restore`. */
export interface RestoreOptions extends RewriteOptions {
  /** Where to take the content from; HEAD by default. */
  readonly source?: string;
  readonly cwd?: string;
  /** Fail, changing nothing, if any file in the paths cannot be restored (see `onUnrestorableFiles`). */
  readonly strict?: boolean;
}

/**
 * Brings files or folders back to their state in a commit (HEAD by default), rewriting only what
 * differs. Files the source lacks under a restored folder are removed. Uncommitted changes that
 * would be lost stop it unless `force`. Files it may not write (read-only or reference-only
 * resources, symlinks on the way) are left as they are and told to `onUnrestorableFiles`.
 */
export async function restorePaths(
  repo: Repository,
  paths: readonly string[],
  options: RestoreOptions = {},
): Promise<number> {
  if (paths.length === 0) throw new InvalidArgumentError('restore needs at least one path', {});
  return withLocks(repo, [WORKTREE_LOCK], async () => {
    const wanted = await toResourcePaths(repo, paths, options.cwd);
    const revision = options.source ?? 'HEAD';
    const target = await readCommitTree(repo, (await resolveRevision(repo, revision)).commit);
    for (const [i, w] of wanted.entries()) {
      const snap = target.resources[w.resource];
      if (!snap) {
        throw new NotFoundError(`resource '${w.resource}' is not in ${revision}`, {
          what: 'resource',
          resource: w.resource,
          revision,
        });
      }
      const found =
        w.path === '' ||
        (await getMapValue(repo.nodes, snap.map, w.path)) !== undefined ||
        (await readPrefix(repo.nodes, snap.map, w.path + '/')).length > 0;
      if (!found) {
        throw new NotFoundError(`path '${paths[i]}' is not in ${revision}`, {
          what: 'path',
          path: paths[i],
          revision,
        });
      }
    }
    const matches = (c: { resource: string; path: string }) =>
      wanted.some(
        (w) =>
          w.resource === c.resource &&
          (w.path === '' || c.path === w.path || c.path.startsWith(w.path + '/')),
      );
    // In a partial clone, an unpopulated folder stands for HEAD: for this restore it is read as it
    // is, so the files asked for are written (fetched from the remote in one batch). A whole
    // resource restored is populated from then on; one restored in part stays unpopulated.
    const partial = await readPartialClone(repo);
    const opened = (partial?.unpopulated ?? []).filter((name) => wanted.some((w) => w.resource === name));
    if (partial && opened.length > 0)
      await writePartialClone(repo, {
        ...partial,
        unpopulated: partial.unpopulated!.filter((name) => !opened.includes(name)),
      });
    const whole = opened.filter((name) => wanted.some((w) => w.resource === name && w.path === ''));
    const settle = async (ok: boolean) => {
      if (!partial || opened.length === 0) return;
      const keep = ok ? opened.filter((name) => !whole.includes(name)) : opened;
      const now = (await readPartialClone(repo)) ?? partial;
      await writePartialClone(repo, { ...now, unpopulated: [...(now.unpopulated ?? []), ...keep].sort() });
    };
    let restored: number;
    try {
      restored = await rewriteWorkingFolders(
        repo,
        target,
        matches,
        `restore of ${paths.join(', ')}`,
        {
          ...options,
          onUnrestorableFiles: (files) => {
            options.onUnrestorableFiles?.(files);
            if (options.strict) {
              throw new CannotRestoreError(
                `cannot restore ${files.length} file(s) from ${revision}: ${files
                  .slice(0, 5)
                  .map((f) => `${f.resource}/${f.path} (${f.reason})`)
                  .join(', ')}${files.length > 5 ? ' …' : ''}`,
                { revision, unrestorable: files },
              );
            }
          },
        },
        {
          operation: 'restore',
          target: `${paths.join(', ')}${options.source ? ` from '${options.source}'` : ''}`,
          locks: [WORKTREE_LOCK],
          finish: { kind: 'none' },
        },
      );
    } catch (err) {
      await settle(false);
      throw err;
    }
    await settle(true);
    return restored;
  });
}
