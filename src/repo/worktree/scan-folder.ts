import { readlinkSync } from 'node:fs';
import { sep } from 'node:path';
import { hashBytes } from '../../util/hash.js';
import { STRATA_DIR } from '../repository.js';
import { IGNORE_NOTHING, type IgnoreMatcher } from './ignore/ignore-rules.js';
import { escapeName } from './escape-name.js';
import {
  chooseListing,
  KIND_DIR,
  KIND_FILE,
  KIND_LINK,
  KIND_UNKNOWN,
  kindOfMode,
  skipReasonOfKind,
  type FolderListing,
} from './list-folder.js';
import {
  chooseLstat,
  isDirectoryMode,
  isRegularMode,
  isSymlinkMode,
  skipReasonOfMode,
  type LstatFields,
} from './lstat-fields.js';
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
   * Told each folder's digest (see `columnsDigest`) and its files' newest mtime once its own files
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

/** One folder's files as the walk lists them: columns, so that unchanged folders cost no objects. */
interface FolderColumns {
  names: string[];
  sizes: number[];
  mtimes: number[];
  inos: number[];
  /** Bit 0: executable; bit 1: symbolic link. */
  flags: number[];
  /** Targets of symbolic links, by index in the columns. */
  links: Map<number, Buffer>;
}

const EXECUTABLE = 1;
const SYMLINK = 2;

/**
 * A kept folder's stat fields, as typed columns shared by its files (see `FolderFile`): a scan of
 * 10^6 files held ~250 bytes a file as plain objects, most of it fields and boxed numbers.
 */
class FolderStats {
  constructor(
    readonly absPrefix: string,
    readonly relLength: number,
    readonly sizes: Float64Array,
    readonly mtimes: Float64Array,
    readonly inos: Float64Array,
    readonly flags: Uint8Array,
  ) {}
}

/**
 * A `ScannedFile` whose stat fields live in its folder's columns: one small object and its path
 * per file. `abs` is made when asked for (once, to read the file). Not cloneable across threads
 * (getters): a scan worker posts plain copies (see `plainFiles`).
 */
class FolderFile implements ScannedFile {
  constructor(
    readonly path: string,
    private readonly folder: FolderStats,
    private readonly index: number,
  ) {}

  get abs(): string {
    return this.folder.absPrefix + this.path.slice(this.folder.relLength);
  }

  get size(): number {
    return this.folder.sizes[this.index]!;
  }

  get mtimeMs(): number {
    return this.folder.mtimes[this.index]!;
  }

  get ino(): number {
    return this.folder.inos[this.index]!;
  }

  get executable(): boolean {
    return (this.folder.flags[this.index]! & EXECUTABLE) !== 0;
  }
}

/** Plain copies of scanned files, for posting from a worker thread (class instances lose their getters). */
export function plainFiles(files: readonly ScannedFile[]): ScannedFile[] {
  return files.map((f) => ({
    path: f.path,
    abs: f.abs,
    size: f.size,
    mtimeMs: f.mtimeMs,
    ino: f.ino,
    executable: f.executable,
    ...(f.linkTarget ? { linkTarget: f.linkTarget } : {}),
  }));
}

/** The digest input, reused from folder to folder (it grows to the largest folder's). */
let digestScratch = new ArrayBuffer(64 * 1024);

/**
 * A digest of one folder's own files: names and the stat fields the stat cache compares (size,
 * mtime, inode, executable bit, symbolic link or not). Equal digests mean no file of the folder
 * was added, removed or touched. Names come sorted. Binary and by column: the file count, then
 * every size, every mtime and every inode as doubles, every flag byte, then the names joined by
 * NULs (which a name cannot hold) in one write; the count fixes where each column ends, so two
 * different folders never give the same input. One UTF-8 write per folder instead of one per file:
 * the per-call cost of writing names one by one was a fifth of a no-change status's scan.
 */
function columnsDigest(c: FolderColumns): string {
  const n = c.names.length;
  const joined = c.names.join('\0');
  const numbers = 8 * (1 + 3 * n);
  const bytes = numbers + n + joined.length * 3;
  if (digestScratch.byteLength < bytes) digestScratch = new ArrayBuffer(bytes * 2);
  const doubles = new Float64Array(digestScratch, 0, 1 + 3 * n);
  doubles[0] = n;
  doubles.set(c.sizes, 1);
  doubles.set(c.mtimes, 1 + n);
  doubles.set(c.inos, 1 + 2 * n);
  const buf = Buffer.from(digestScratch);
  buf.set(c.flags, numbers);
  const end = numbers + n + buf.write(joined, numbers + n, 'utf8');
  return hashBytes(buf.subarray(0, end)).slice(0, 32);
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function isSortedByPath(files: readonly ScannedFile[]): boolean {
  for (let i = 1; i < files.length; i++) if (files[i - 1]!.path > files[i]!.path) return false;
  return true;
}

/**
 * Lists every regular file and symbolic link under `root`, sorted by path, with synchronous calls:
 * for tens of thousands of small stats they are several times faster than promises through the
 * thread pool. Symbolic links are listed, never followed (a link to a folder is not entered).
 * FIFOs, sockets, devices and names that are not valid UTF-8 cannot be versioned: they are
 * returned in `skipped`, so that status and commit can say so. `.strata` folders, the `skip`
 * names and ignored paths are neither listed nor reported. A file or folder that vanishes
 * between listing and stat is simply not there.
 *
 * Each folder's stats go into columns first and become `ScannedFile` objects only if the folder
 * is kept (see `keepFolder`): a status of an unchanged tree allocates next to nothing per file.
 * Folders are walked in name order, so the result usually comes out sorted and is sorted only
 * when it does not (a file name that sorts after a sibling folder's files).
 */
export function scanTree(root: string, options: ScanOptions = {}): ScanResult {
  let files: ScannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const folders = new Map<string, string>();
  const skip = options.skip ?? [];
  const ignore = options.ignore ?? IGNORE_NOTHING;
  const lstat = chooseLstat(root);
  const list = chooseListing(root);
  const st: LstatFields = { mode: 0, size: 0, mtimeMs: 0, ino: 0 };
  const own: FolderColumns = { names: [], sizes: [], mtimes: [], inos: [], flags: [], links: new Map() };
  const walk = (absDir: string, relDir: string): void => {
    let listing: FolderListing;
    try {
      listing = list(absDir);
    } catch (err) {
      if (isVanished(err)) return;
      throw err;
    }
    if (!(options.share && relDir === '' && options.share.part !== 0)) {
      for (const raw of listing.raw) {
        // The whole path is escaped, so a backslash in a parent folder's name stays unambiguous.
        const parent = relDir ? `${escapeName(Buffer.from(relDir))}/` : '';
        skipped.push({ path: parent + escapeName(raw), reason: 'non-utf8-name' });
      }
    }
    const { names, kinds } = listing;
    const order = names
      .map((_, i) => i)
      .sort((x, y) => (names[x]! < names[y]! ? -1 : names[x]! > names[y]! ? 1 : 0));
    const subfolders: [string, string][] = [];
    const share = relDir === '' ? options.share : undefined;
    const relPrefix = relDir ? `${relDir}/` : '';
    const absPrefix = absDir + sep;
    own.names.length = own.sizes.length = own.mtimes.length = own.inos.length = own.flags.length = 0;
    own.links.clear();
    let folderIndex = 0;
    for (const i of order) {
      const name = names[i]!;
      // The repository's own folder, and anything named like it, is never part of a resource.
      if (name === STRATA_DIR) continue;
      let kind = kinds[i]!;
      // A filesystem that does not say what an entry is: ask lstat.
      if (kind === KIND_UNKNOWN) {
        try {
          if (!lstat(absPrefix + name, st)) continue;
        } catch (err) {
          if (isVanished(err)) continue;
          throw err;
        }
        kind = kindOfMode(st.mode);
      }
      if (kind === KIND_DIR) {
        if (!skip.includes(name) && !ignore.ignores(relPrefix + name, true)) {
          if (!share || folderIndex % share.parts === share.part)
            subfolders.push([absPrefix + name, relPrefix + name]);
          folderIndex++;
        }
        continue;
      }
      // The top folder's own entries belong to share 0.
      if (share && share.part !== 0) continue;
      // A checkout's temporary file (removed by recovery) is never a file of the resource.
      if (name.startsWith(WORKTREE_TEMP_PREFIX)) continue;
      if (ignore.ignores(relPrefix + name, false)) continue;
      if (kind !== KIND_FILE && kind !== KIND_LINK) {
        skipped.push({ path: relPrefix + name, reason: skipReasonOfKind(kind) });
        continue;
      }
      // Plain concatenation: path.join's normalisation cost more than the lstat itself here.
      const abs = absPrefix + name;
      hooks(options, abs);
      try {
        // The entry's kind is taken from lstat, not the listing: it may have changed in between.
        if (!lstat(abs, st)) continue;
        if (isRegularMode(st.mode)) {
          own.flags.push((st.mode & 0o111) !== 0 ? EXECUTABLE : 0);
          own.sizes.push(st.size);
        } else if (isSymlinkMode(st.mode)) {
          const linkTarget = readlinkSync(abs, { encoding: 'buffer' });
          own.links.set(own.names.length, linkTarget);
          own.flags.push(SYMLINK);
          own.sizes.push(linkTarget.byteLength);
        } else {
          if (!isDirectoryMode(st.mode))
            skipped.push({ path: relPrefix + name, reason: skipReasonOfMode(st.mode) });
          continue;
        }
        own.names.push(name);
        own.mtimes.push(st.mtimeMs);
        own.inos.push(st.ino);
      } catch (err) {
        if (!isVanished(err)) throw err;
      }
    }
    if (own.names.length > 0) {
      const digest = columnsDigest(own);
      folders.set(relDir, digest);
      let newest = 0;
      for (const m of own.mtimes) if (m > newest) newest = m;
      if (!options.keepFolder || options.keepFolder(relDir, digest, newest)) {
        const stats = new FolderStats(
          absPrefix,
          relPrefix.length,
          Float64Array.from(own.sizes),
          Float64Array.from(own.mtimes),
          Float64Array.from(own.inos),
          Uint8Array.from(own.flags),
        );
        for (let i = 0; i < own.names.length; i++) {
          const link = own.links.get(i);
          // A link keeps a plain object: there are few, and its target is one more field.
          files.push(
            link
              ? {
                  path: relPrefix + own.names[i]!,
                  abs: absPrefix + own.names[i]!,
                  size: own.sizes[i]!,
                  mtimeMs: own.mtimes[i]!,
                  ino: own.inos[i]!,
                  executable: false,
                  linkTarget: link,
                }
              : new FolderFile(relPrefix + own.names[i]!, stats, i),
          );
        }
      }
    }
    // Subfolders after this folder's own files (the columns are reused below).
    for (const [abs, rel] of subfolders) walk(abs, rel);
  };
  walk(root, '');
  if (!isSortedByPath(files)) files = files.sort(byPath);
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
