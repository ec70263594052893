import { readdirSync, statSync } from 'node:fs';
import { hashBytes } from '../../util/hash.js';

/** Compiled include / exclude regexes. */
export interface CompiledFilter {
  readonly include: RegExp | undefined;
  readonly exclude: RegExp | undefined;
}

/** Files found by a walk, as parallel columns (cheap to send between threads). */
export interface ScanColumns {
  readonly paths: string[];
  readonly sizes: number[];
  readonly mtimes: number[];
  readonly inos: number[];
}

export const emptyColumns = (): ScanColumns => ({ paths: [], sizes: [], mtimes: [], inos: [] });

/** Sorts a folder's entries so that a walk yields whole relative paths in byte order. */
function byPathOrder(entries: { name: string; key: string }[]): void {
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Lists one folder: its files (stat'ed, filtered) go into `out`; its sub-folders are returned
 * (relative, with a trailing `/`) in path order for the caller to walk. `relative` is '' or ends
 * with '/'. Folders are keyed with their '/', so `a-b` sorts before `a/x` as in whole paths.
 */
export function listFolder(
  root: string,
  relative: string,
  filter: CompiledFilter,
  out: ScanColumns,
): string[] {
  const dir = relative === '' ? root : `${root}/${relative.slice(0, -1)}`;
  const entries = readdirSync(dir, { withFileTypes: true });
  const keyed = entries.map((e) => ({
    name: e.name,
    key: e.isDirectory() ? `${e.name}/` : e.name,
    entry: e,
  }));
  byPathOrder(keyed);
  const folders: string[] = [];
  for (const { entry, key } of keyed) {
    const rel = relative + key;
    if (entry.isDirectory()) {
      folders.push(rel);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (filter.include && !filter.include.test(rel)) continue;
    if (filter.exclude && filter.exclude.test(rel)) continue;
    const stat = statSync(`${dir}/${entry.name}`, { throwIfNoEntry: false });
    // Vanished since the listing, or a link to a folder (never followed: no cycles, no escape).
    if (!stat?.isFile()) continue;
    out.paths.push(rel);
    out.sizes.push(stat.size);
    out.mtimes.push(stat.mtimeMs);
    out.inos.push(stat.ino);
  }
  return folders;
}

/** Walks whole subtrees depth-first, in path order. */
export function walkFolders(
  root: string,
  folders: readonly string[],
  filter: CompiledFilter,
  out: ScanColumns,
): void {
  for (const folder of folders) {
    const sub = listFolder(root, folder, filter, out);
    walkFolders(root, sub, filter, out);
  }
}

/**
 * A digest of a walk's files (path, size, mtime, inode) in walk order: equal digests mean the
 * same files with the same stats. Computed where the columns are (a scan worker hashes its own).
 */
export function columnsDigest(c: ScanColumns): string {
  const parts = new Array<string>(c.paths.length);
  for (let i = 0; i < c.paths.length; i++)
    parts[i] = `${c.paths[i]}\0${c.sizes[i]}\0${c.mtimes[i]}\0${c.inos[i]}`;
  return hashBytes(Buffer.from(parts.join('\n')));
}
