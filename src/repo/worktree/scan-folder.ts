import { lstatSync, readdirSync, readlinkSync, type Dirent, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { hashBytes } from '../../util/hash.js';
import { STRATA_DIR } from '../repository.js';
import { IGNORE_NOTHING, type IgnoreMatcher } from './ignore/ignore-rules.js';
import { escapeName, isUtf8Name } from './escape-name.js';
import { WORKTREE_TEMP_PREFIX } from './safe-write.js';

/**
 * A regular file or symbolic link found in a resource folder, with the stat fields the stat
 * cache compares. A symbolic link is never followed: its content is its target, verbatim.
 */
export interface ScannedFile {
  /** Path relative to the resource folder, `/`-separated. */
  readonly path: string;
  readonly abs: string;
  /** Bytes of content (for a symbolic link, of its target). */
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly executable: boolean;
  /** Set for a symbolic link: the target as stored in the link, byte for byte. */
  readonly linkTarget?: Buffer;
}

/** Why an entry of a resource folder is not versioned. */
export type SkipReason = 'fifo' | 'socket' | 'device' | 'non-utf8-name' | 'unsupported';

/** An entry that is neither a regular file, a folder nor a symbolic link, or whose name is not UTF-8. */
export interface SkippedEntry {
  /**
   * Path relative to the resource folder. For `non-utf8-name` the whole path is escaped, which
   * loses nothing: each byte that is not valid UTF-8 as `\xNN`, a backslash as `\\`.
   */
  readonly path: string;
  readonly reason: SkipReason;
}

/** Hooks for tests that need to act between listing a folder and reading its files. */
export interface ScanHooks {
  beforeStat?(abs: string): void;
}

/** Folder names skipped besides `.strata` (a git resource skips `.git`). */
export type SkipNames = readonly string[];

/** Options of `scanTree` and `scanFolder`. */
export interface ScanOptions {
  readonly hooks?: ScanHooks;
  readonly skip?: SkipNames;
  /** Paths not to look at: neither listed nor reported (`.strataignore`). */
  readonly ignore?: IgnoreMatcher;
  /**
   * Told each folder's digest (see `folderDigest`) and its files' newest mtime once its own files
   * are listed; a folder for which it returns false keeps its files out of `files` (they are
   * known unchanged), so a scan of a large tree holds only the changed folders' files.
   */
  readonly keepFolder?: (folder: string, digest: string, newestMtimeMs: number) => boolean;
  /**
   * Scan one share of the tree only: the top folder's subfolders whose index (in listing order)
   * is `part` modulo `parts`, and the top folder's own entries with part 0. The shares of all parts
   * together are the whole scan (how `scanTreeInParallel` uses both cores).
   */
  readonly share?: { readonly part: number; readonly parts: number };
}

/** What a scan found: versionable entries, and those it could not version. */
export interface ScanResult {
  readonly files: ScannedFile[];
  readonly skipped: SkippedEntry[];
  /** Every folder holding at least one file, with its digest (folder paths as `ScannedFile.path`'s). */
  readonly folders: Map<string, string>;
}

/**
 * A digest of one folder's own files: names and the stat fields the stat cache compares (size,
 * mtime, inode, executable bit, symbolic link or not). Equal digests mean no file of the folder
 * was added, removed or touched. `files` are sorted by path.
 */
export function folderDigest(files: readonly ScannedFile[], from = 0, to = files.length): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const f = files[i]!;
    text += `${f.path}\u0000${f.size}\u0000${f.mtimeMs}\u0000${f.ino}\u0000${f.executable ? 1 : 0}${f.linkTarget ? 'l' : ''}\n`;
  }
  return hashBytes(Buffer.from(text)).slice(0, 32);
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function skipReason(st: Stats | Dirent): SkipReason {
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'unsupported';
}

/** One folder's entries by name; names that are not UTF-8 come back as their raw bytes. */
function listFolder(absDir: string): (Dirent | { raw: Buffer })[] {
  const dirents = readdirSync(absDir, { withFileTypes: true });
  // Node decodes names as UTF-8, replacing invalid bytes with U+FFFD: only then read raw names.
  if (!dirents.some((d) => d.name.includes('\uFFFD'))) return dirents;
  return readdirSync(absDir, { withFileTypes: true, encoding: 'buffer' }).map((d) =>
    isUtf8Name(d.name)
      ? (Object.assign(d, { name: d.name.toString('utf8') }) as unknown as Dirent)
      : { raw: d.name },
  );
}

/**
 * Lists every regular file and symbolic link under `root`, sorted by path, with synchronous calls:
 * for tens of thousands of small stats they are several times faster than promises through the
 * thread pool. Symbolic links are listed, never followed (a link to a folder is not entered).
 * FIFOs, sockets, devices and names that are not valid UTF-8 cannot be versioned: they are
 * returned in `skipped`, so that status and commit can say so. `.strata` folders, the `skip`
 * names and ignored paths are neither listed nor reported. A file or folder that vanishes
 * between listing and stat is simply not there.
 */
export function scanTree(root: string, options: ScanOptions = {}): ScanResult {
  let files: ScannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const folders = new Map<string, string>();
  const skip = options.skip ?? [];
  const ignore = options.ignore ?? IGNORE_NOTHING;
  const walk = (absDir: string, relDir: string): void => {
    let entries: (Dirent | { raw: Buffer })[];
    try {
      entries = listFolder(absDir);
    } catch (err) {
      if (isVanished(err)) return;
      throw err;
    }
    const subfolders: [string, string][] = [];
    const first = files.length;
    const share = relDir === '' ? options.share : undefined;
    let folderIndex = 0;
    for (const d of entries) {
      if ('raw' in d) {
        if (share && share.part !== 0) continue;
        // The whole path is escaped, so a backslash in a parent folder's name stays unambiguous.
        const name = escapeName(d.raw);
        const parent = relDir ? `${escapeName(Buffer.from(relDir))}/` : '';
        skipped.push({ path: parent + name, reason: 'non-utf8-name' });
        continue;
      }
      // The repository's own folder, and anything named like it, is never part of a resource.
      if (d.name === STRATA_DIR) continue;
      const rel = relDir ? `${relDir}/${d.name}` : d.name;
      // Plain concatenation: path.join's normalisation cost more than the lstat itself here.
      const abs = absDir + sep + d.name;
      if (d.isDirectory()) {
        if (!skip.includes(d.name) && !ignore.ignores(rel, true)) {
          if (!share || folderIndex % share.parts === share.part) subfolders.push([abs, rel]);
          folderIndex++;
        }
        continue;
      }
      // The top folder's own entries belong to share 0.
      if (share && share.part !== 0) continue;
      // A checkout's temporary file (removed by recovery) is never a file of the resource.
      if (d.name.startsWith(WORKTREE_TEMP_PREFIX)) continue;
      if (ignore.ignores(rel, false)) continue;
      if (!d.isFile() && !d.isSymbolicLink()) {
        skipped.push({ path: rel, reason: skipReason(d) });
        continue;
      }
      hooks(options, abs);
      try {
        // The entry's kind is taken from lstat, not the listing: it may have changed in between.
        const st = lstatSync(abs, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isFile()) {
          files.push({
            path: rel,
            abs,
            size: st.size,
            mtimeMs: st.mtimeMs,
            ino: st.ino,
            executable: (st.mode & 0o111) !== 0,
          });
        } else if (st.isSymbolicLink()) {
          const linkTarget = readlinkSync(abs, { encoding: 'buffer' });
          files.push({
            path: rel,
            abs,
            size: linkTarget.byteLength,
            mtimeMs: st.mtimeMs,
            ino: st.ino,
            executable: false,
            linkTarget,
          });
        } else if (!st.isDirectory()) {
          skipped.push({ path: rel, reason: skipReason(st) });
        }
      } catch (err) {
        if (!isVanished(err)) throw err;
      }
    }
    if (files.length > first) {
      // This folder's files are the tail of `files`: digest them, then keep or drop them.
      const own = files.length - first;
      if (own > 1) {
        const sorted = files.slice(first).sort(byPath);
        for (let i = 0; i < own; i++) files[first + i] = sorted[i]!;
      }
      const digest = folderDigest(files, first);
      folders.set(relDir, digest);
      if (options.keepFolder) {
        let newest = 0;
        for (let i = first; i < files.length; i++) if (files[i]!.mtimeMs > newest) newest = files[i]!.mtimeMs;
        if (!options.keepFolder(relDir, digest, newest)) files.length = first;
      }
    }
    // Subfolders after this folder's own files: their files must not interleave with them above.
    for (const [abs, rel] of subfolders) walk(abs, rel);
  };
  walk(root, '');
  files = files.sort(byPath);
  skipped.sort(byPath);
  return { files, skipped, folders };
}

function hooks(options: ScanOptions, abs: string): void {
  options.hooks?.beforeStat?.(abs);
}

/** The regular files and symbolic links under `root` (see `scanTree`), without the skipped entries. */
export function scanFolder(root: string, options: ScanOptions = {}): ScannedFile[] {
  return scanTree(root, options).files;
}

/** ENOENT / ENOTDIR: the path went away while we looked. */
export function isVanished(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
