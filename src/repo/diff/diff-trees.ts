import { diffMaps, readAllEntries, type NodeSource } from '../merkle/read-map.js';
import { decodeFileEntry, type FileEntry } from '../objects/file-entry.js';
import type { RootTree } from '../objects/commit-object.js';

export type ChangeKind = 'added' | 'removed' | 'modified';

/** One file that differs between two states. */
export interface FileChange {
  readonly resource: string;
  readonly path: string;
  readonly change: ChangeKind;
  readonly before?: FileEntry;
  readonly after?: FileEntry;
}

/**
 * Every file that differs between two root trees, sorted by resource then path. Resources on one
 * side only count as all their files added or removed; shared ones are compared map to map,
 * skipping unchanged subtrees.
 */
export async function diffTrees(source: NodeSource, a: RootTree, b: RootTree): Promise<FileChange[]> {
  const names = [...new Set([...Object.keys(a.resources), ...Object.keys(b.resources)])].sort();
  const out: FileChange[] = [];
  for (const resource of names) {
    const left = a.resources[resource];
    const right = b.resources[resource];
    if (left && right) {
      for (const c of await diffMaps(source, left.map, right.map)) {
        const before = c.before ? decodeFileEntry(c.before) : undefined;
        const after = c.after ? decodeFileEntry(c.after) : undefined;
        if (
          before &&
          after &&
          before.hash === after.hash &&
          before.executable === after.executable &&
          !before.symlink === !after.symlink
        )
          continue;
        out.push({
          resource,
          path: c.key,
          change: before && after ? 'modified' : before ? 'removed' : 'added',
          before,
          after,
        });
      }
    } else {
      const side = (left ?? right)!;
      for (const e of await readAllEntries(source, side.map)) {
        const entry = decodeFileEntry(e.value);
        out.push(
          left
            ? { resource, path: e.key, change: 'removed', before: entry }
            : { resource, path: e.key, change: 'added', after: entry },
        );
      }
    }
  }
  return out;
}

/** The JSON shape of a change for `diff --json` and `status --json`. */
export function changeToJson(c: FileChange): {
  resource: string;
  path: string;
  change: ChangeKind;
  size_before?: number;
  size_after?: number;
  kind_before?: 'file' | 'symlink';
  kind_after?: 'file' | 'symlink';
} {
  // Kinds are named only when a symlink is involved, so the usual shape stays as it was.
  const kinds = c.before?.symlink || c.after?.symlink;
  const kind = (e: FileEntry) => (e.symlink ? ('symlink' as const) : ('file' as const));
  return {
    resource: c.resource,
    path: c.path,
    change: c.change,
    ...(c.before ? { size_before: c.before.size } : {}),
    ...(c.after ? { size_after: c.after.size } : {}),
    ...(kinds && c.before ? { kind_before: kind(c.before) } : {}),
    ...(kinds && c.after ? { kind_after: kind(c.after) } : {}),
  };
}
