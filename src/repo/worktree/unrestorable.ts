import { lstatSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ResourceRecord } from '../../catalog/catalog.js';
import type { FileChange } from '../diff/diff-trees.js';
import type { RootTree } from '../objects/commit-object.js';
import { checkStoredPath } from './apply-changes.js';

/**
 * Why a restore or checkout leaves a file as it is: the resource is `read-only`; its contents
 * were recorded `reference-only` (hashes or size and mtime, not stored), in the target snapshot
 * or in the current registration; or writing would pass through a `symlink` inside (or above) a
 * local folder, i.e. land outside the folder that was registered.
 */
export type UnrestorableReason = 'read-only' | 'reference-only' | 'symlink';

/** One file a restore or checkout could not bring to the target state. */
export interface UnrestorableFile {
  readonly resource: string;
  /** Path inside the resource, `/`-separated. */
  readonly path: string;
  /** What the restore would have done: write the target's content, or delete the file. */
  readonly action: 'write' | 'delete';
  readonly reason: UnrestorableReason;
}

/** The changes a rewrite can apply, the files it must leave, and the target to write towards. */
export interface RestorablePlan {
  readonly write: readonly FileChange[];
  readonly unrestorable: readonly UnrestorableFile[];
  /** `target` with each local folder's path replaced by the folder registered here. */
  readonly target: RootTree;
}

/** Whether a resource's files can be rewritten at all (stored contents, not read-only). */
export function resourceWritable(target: RootTree, now: RootTree, name: string): boolean {
  const t = target.resources[name];
  const n = now.resources[name];
  return !!t && !t.content && !t.readOnly && !n?.content && !n?.readOnly;
}

/**
 * Splits the changes towards `target` into those that may be written and those that may not,
 * file by file. A local folder is written only at the path registered in this repository (not the
 * one a commit recorded), and only where no symlink lies between that folder and the file: a
 * registered folder is part of the repository, what a link inside it points at is not. Git
 * resources are left out of the list (their files come back through `git checkout`). Paths from
 * the stored tree are checked first: `..`, absolute paths and the like stop everything.
 */
export function planRestorable(
  target: RootTree,
  now: RootTree,
  changes: readonly FileChange[],
  registered: readonly ResourceRecord[],
): RestorablePlan {
  const records = new Map(registered.map((r) => [r.name, r]));
  const write: FileChange[] = [];
  const unrestorable: UnrestorableFile[] = [];
  const links = new Map<string, boolean>();
  const skip = (c: FileChange, reason: UnrestorableReason) =>
    unrestorable.push({ resource: c.resource, path: c.path, action: c.after ? 'write' : 'delete', reason });
  for (const c of changes) {
    const t = target.resources[c.resource]!;
    checkStoredPath(c.path, `path in resource ${c.resource}`);
    if (!resourceWritable(target, now, c.resource)) {
      if (t.type !== 'git')
        skip(c, t.readOnly || now.resources[c.resource]?.readOnly ? 'read-only' : 'reference-only');
      continue;
    }
    if (t.type === 'local') {
      const record = records.get(c.resource);
      // Registered as something else here: nothing says where this folder may be written.
      if (record?.type !== 'local') {
        skip(c, 'read-only');
        continue;
      }
      if (passesSymlink(record.path, c.path, links)) {
        skip(c, 'symlink');
        continue;
      }
    }
    write.push(c);
  }
  const resources = Object.fromEntries(
    Object.entries(target.resources).map(([name, snap]) => {
      const record = records.get(name);
      return [
        name,
        snap.type === 'local' && record?.type === 'local' ? { ...snap, path: record.path } : snap,
      ];
    }),
  );
  return { write, unrestorable, target: { ...target, resources } };
}

/**
 * True when writing `path` inside `folder` would go through a symlink: the folder (or the nearest
 * of its ancestors that exists) is not its own real path, or a folder on the way to the file is a
 * link. The file itself may be a link: it is replaced by rename, never written through.
 */
function passesSymlink(folder: string, path: string, seen: Map<string, boolean>): boolean {
  const check = (abs: string, test: () => boolean) => {
    let found = seen.get(abs);
    if (found === undefined) seen.set(abs, (found = test()));
    return found;
  };
  if (check(folder, () => !isOwnRealPath(folder))) return true;
  const parts = path.split('/').slice(0, -1);
  let abs = folder;
  for (const part of parts) {
    abs = `${abs}/${part}`;
    const here = abs;
    const state = check(here, () => lstatSync(here, { throwIfNoEntry: false })?.isSymbolicLink() === true);
    if (state) return true;
  }
  return false;
}

/** Whether `abs` (or, when missing, its nearest existing ancestor) has no symlink in its path. */
function isOwnRealPath(abs: string): boolean {
  let current = abs;
  for (;;) {
    try {
      return realpathSync(current) === current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return false;
      current = parent;
    }
  }
}
