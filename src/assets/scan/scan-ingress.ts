import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../errors/index.js';

/** One file found in the ingress folder, with the stat that tells whether it changed. */
export interface ScannedFile {
  /** Relative to the ingress root, `/`-separated. */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** Which files count: regexes on the path relative to the ingress root. */
export interface ScanFilter {
  /** A file is kept only when this matches ('' keeps everything). */
  readonly include?: string;
  /** A file is dropped when this matches ('' drops nothing). */
  readonly exclude?: string;
}

/**
 * Lists every file under `root` (recursively, sorted by path) whose relative path passes the
 * filter, with its size, modification time and inode. One synchronous walk: for 100,000 small
 * files a loop of `readdirSync` + `statSync` is several times faster than awaiting each call.
 * Symbolic links to files are followed; links to folders are not (no cycles, no escape).
 */
export function scanIngress(root: string, filter: ScanFilter = {}): ScannedFile[] {
  const rootStat = statSync(root, { throwIfNoEntry: false });
  if (!rootStat?.isDirectory())
    throw new ConfigError(`ingress_directory: '${root}' is not a folder`, {
      key: 'ingress_directory',
      path: root,
    });
  const include = filter.include ? new RegExp(filter.include) : undefined;
  const exclude = filter.exclude ? new RegExp(filter.exclude) : undefined;
  const found: ScannedFile[] = [];
  const walk = (dir: string, prefix: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relative = prefix + entry.name;
      const absolute = dir + path.sep + entry.name;
      if (entry.isDirectory()) {
        walk(absolute, relative + '/');
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      if (include && !include.test(relative)) continue;
      if (exclude && exclude.test(relative)) continue;
      const stat = statSync(absolute, { throwIfNoEntry: false });
      // Vanished since the listing, or a link to a folder.
      if (!stat?.isFile()) continue;
      found.push({
        path: relative,
        absolutePath: absolute,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        ino: stat.ino,
      });
    }
  };
  walk(path.resolve(root), '');
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
