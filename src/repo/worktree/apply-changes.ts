import { lstatSync, mkdirSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StatCacheEntry } from '../../catalog/catalog.js';
import type { FileChange } from '../diff/diff-trees.js';
import type { RootTree } from '../objects/commit-object.js';
import { STRATA_DIR, type Repository } from '../repository.js';
import { CorruptObjectError } from '../../errors/index.js';
import { resourceType } from '../resources/types/index.js';
import { writeSymlink } from './write-symlink.js';

/**
 * Makes the working folders match `changes` (computed from the current state towards a target):
 * writes added and modified files from the store (each verified, then renamed into place), deletes
 * removed ones and folders left empty. Every written file goes into the stat cache with the hash
 * we know, so the next status need not read it.
 */
export async function applyChanges(
  repo: Repository,
  target: RootTree,
  changes: readonly FileChange[],
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const fresh: StatCacheEntry[] = [];
  const removed: { resource: string; path: string }[] = [];
  let done = 0;
  // Each resource's folder is checked through its real path once: never written through a link.
  const opened = new Map<string, string>();
  // Removals first: a folder that becomes a file or a symbolic link (or the reverse) must be
  // emptied of its committed files before the new entry can take its name.
  const ordered = [...changes.filter((c) => !c.after), ...changes.filter((c) => c.after)];
  for (const change of ordered) {
    const resource = target.resources[change.resource];
    let folder = opened.get(change.resource);
    if (folder === undefined) {
      folder = resource
        ? resourceType(resource.type).open(repo.root, checkResourceLocation(resource.type, resource.path))
        : join(repo.root, checkStoredPath(change.resource, 'resource path'));
      opened.set(change.resource, folder);
    }
    const abs = join(folder, checkStoredPath(change.path, `path in resource ${change.resource}`));
    if (change.after) {
      mkdirSync(dirname(abs), { recursive: true });
      if (change.after.symlink) await writeSymlink(repo.store, change.after.hash, abs);
      else
        await repo.store.readToFile(change.after.hash, abs, {
          mode: change.after.executable ? 0o755 : 0o644,
        });
      const st = lstatSync(abs);
      fresh.push({
        resource: change.resource,
        path: change.path,
        size: st.size,
        mtimeMs: st.mtimeMs,
        ino: st.ino,
        hash: change.after.hash,
        recordedMs: Date.now(),
      });
    } else {
      try {
        unlinkSync(abs);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ENOENT') throw err;
      }
      removed.push({ resource: change.resource, path: change.path });
      pruneEmptyFolders(dirname(abs), folder);
    }
    onProgress?.(++done, changes.length);
  }
  await repo.catalog.updateStatCache(fresh, removed);
}

/** Removes now-empty folders from `dir` up to (not including) `stop`. */
function pruneEmptyFolders(dir: string, stop: string): void {
  let current = dir;
  while (current.length > stop.length && current.startsWith(stop)) {
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

/**
 * A path read from a stored tree is checked before it touches the disk: a tree is data, and a
 * crafted one (from a remote, or a damaged store) must not write outside its resource.
 */
export function checkStoredPath(path: string, what: string): string {
  const parts = path.split('/');
  if (
    path === '' ||
    path.startsWith('/') ||
    path.includes('\u0000') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p === STRATA_DIR)
  ) {
    throw new CorruptObjectError(`refusing unsafe ${what} '${path}' found in a stored tree`, { path, what });
  }
  return path;
}

/** A stored resource path: relative and safe for folders; absolute for external types. */
function checkResourceLocation(type: string, path: string): string {
  if (type === 'folder') return checkStoredPath(path, 'resource path');
  if (!path.startsWith('/') || path.includes('\u0000') || path.split('/').includes('..'))
    throw new CorruptObjectError(`refusing unsafe resource path '${path}' found in a stored tree`, { path });
  return path;
}
