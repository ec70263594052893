import { writeFileContent } from '../objects/file-content.js';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StatCacheEntry } from '../../catalog/catalog.js';
import type { ObjectId } from '../../util/hash.js';
import type { RootTree } from '../objects/commit-object.js';
import { STRATA_DIR, type Repository } from '../repository.js';
import { CorruptObjectError } from '../../errors/index.js';
import { resourceType } from '../resources/types/index.js';
import {
  ensureRealFolder,
  hasRealParents,
  moveIntoPlace,
  sameFilesystem,
  WORKTREE_TEMP_PREFIX,
  writeInPlace,
} from './safe-write.js';
import { tempFolder, type JournalFile, type WorktreeJournal } from './worktree-journal.js';
import { RACY_WINDOW_MS } from './hash-files.js';

/** What one pass over a journal's changes did. */
export interface ApplyReport {
  /** Files written or removed. */
  readonly applied: number;
  /** Files whose earlier content is not in the store (discarded by --force), left as they are. */
  readonly unrecoverable: readonly { resource: string; path: string }[];
}

/** Test hook: called after each file is written or removed (crash tests kill the process there). */
export interface ApplyHooks {
  afterEach?(done: number, total: number): void;
}

/**
 * Makes each file of `journal.changes` what the journal says: its `after` state (forward: doing or
 * finishing the operation) or its `before` state (back: undoing it). Every file is written to a
 * short temporary name (never derived from the file's own name, so any name the filesystem took
 * round-trips), then given its name (`takeName`): an interruption leaves each file old, new or,
 * for the instant between unlinking the old one and renaming the new one, absent; never torn.
 * No symlink is ever followed (see `ensureRealFolder`). Every written file goes into the stat
 * cache with the hash we know, so the next status need not read it.
 */
export async function applyJournal(
  repo: Repository,
  journal: WorktreeJournal,
  direction: 'forward' | 'back',
  options: { onProgress?: (done: number, total: number) => void; hooks?: ApplyHooks } = {},
): Promise<ApplyReport> {
  const fresh: StatCacheEntry[] = [];
  const replaced = new Deletions();
  // The filesystem of each written file, and a folder written to on each (see `clockNow`).
  const freshDevs: number[] = [];
  const clockFolders = new Map<number, string>();
  const unrecoverable: { resource: string; path: string }[] = [];
  const known = new Set<string>();
  const sameFs = new Map<string, boolean>();
  const temps = tempFolder(repo, journal.token);
  mkdirSync(temps, { recursive: true });
  const wanted = journal.changes.map((c) => (direction === 'forward' ? c.after : c.before));
  const inStore =
    direction === 'back' ? await repo.store.hasMany(wanted.flatMap((w) => (w ? [w.hash] : []))) : undefined;
  // A remote store fetches what follows in batches (one lookup per thousand, not one per file).
  await repo.store.prefetch?.(
    wanted.flatMap((w) => (w && (!inStore || inStore.has(w.hash)) ? [w.hash] : [])),
  );
  let done = 0;
  let counter = 0;
  // Temporary names of this pass: unique across passes (a rollback, or a recovery after a kill
  // that left some of an earlier pass's files behind), short whatever the file's name.
  const prefix = `${WORKTREE_TEMP_PREFIX}${journal.token}-${randomBytes(3).toString('hex')}-`;
  // Removals first: a folder that becomes a file or a symbolic link (or the reverse) must be
  // emptied of its files before the new entry can take its name.
  const order = [...wanted.keys()].sort((x, y) => Number(wanted[x] !== null) - Number(wanted[y] !== null));
  const small = new SmallContents(
    repo,
    order.map((i) => wanted[i]!).filter((w) => isSmall(w) && (!inStore || inStore.has(w!.hash))),
  );
  try {
    for (const i of order) {
      const change = journal.changes[i]!;
      const root = journal.folders[change.resource];
      if (root === undefined)
        throw new CorruptObjectError(`journal names no folder for '${change.resource}'`, {});
      const path = checkStoredPath(change.path, `path in resource ${change.resource}`);
      const want: JournalFile = wanted[i]!;
      if (want && inStore && !inStore.has(want.hash)) {
        unrecoverable.push({ resource: change.resource, path });
      } else if (want) {
        const slash = path.lastIndexOf('/');
        // The resource folder itself may be gone (deleted by hand): it is made again, as before.
        if (!known.has(root)) {
          mkdirSync(root, { recursive: true });
          known.add(root);
        }
        const dir = ensureRealFolder(root, slash < 0 ? '' : path.slice(0, slash), known);
        const abs = join(dir, path.slice(slash + 1));
        let st: Stats | undefined;
        if (want.symlink) {
          // The link's target, verified by the store, verbatim; made beside `abs` under a short
          // temporary name and renamed onto it, so what `abs` held is replaced, never followed.
          const link = join(dir, `${prefix}${counter++}`);
          symlinkSync(Buffer.from(await repo.store.get(want.hash)), link);
          moveIntoPlace(link, abs);
        } else if (isSmall(want)) {
          // A small file: read (verified) in a batch with its neighbours, written in one call beside
          // its target and given its name. Within one folder, a rename skips the filesystem-wide
          // lock a rename across folders takes (measured 3-7x faster on a busy ext4).
          const temp = join(dir, `${prefix}${counter++}`);
          const data = await small.take(want.hash);
          const aside = `${temp}-old`;
          const written = writeInPlace(temp, abs, data, want.executable ? 0o755 : 0o644, aside);
          st = written.stat;
          if (written.movedAside) await replaced.delete(aside);
        } else {
          const temp = join(temps, String(counter++));
          await writeFileContent(repo.store, want, temp, { mode: want.executable ? 0o755 : 0o644 });
          let same = sameFs.get(dir);
          if (same === undefined) sameFs.set(dir, (same = sameFilesystem(temps, dir)));
          moveIntoPlace(temp, abs, same ? undefined : join(dir, `${prefix}${counter}`));
        }
        st ??= lstatSync(abs);
        fresh.push({
          resource: change.resource,
          path,
          size: st.size,
          mtimeMs: st.mtimeMs,
          ino: st.ino,
          hash: want.hash,
          recordedMs: Date.now(),
        });
        freshDevs.push(st.dev);
        if (!clockFolders.has(st.dev)) clockFolders.set(st.dev, dir);
      } else {
        removeFile(root, path);
      }
      done++;
      options.onProgress?.(done, journal.changes.length);
      options.hooks?.afterEach?.(done, journal.changes.length);
      // Small files are written synchronously: let the event loop turn now and then, so that a
      // Ctrl-C or SIGTERM is handled (locks released, exit 130/143) before the last file.
      if (done % FILES_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    // Every deletion ends before the caller rolls back or retries over the same folders.
    await replaced.settle().catch(() => undefined);
    throw err;
  }
  await replaced.settle();
  // Rows of removed files stay: while the last scan's folder digests describe the base, a changed
  // folder's rows must still name every file the base has there (see editWorkingMap). They are
  // pruned when the next scan state is recorded.
  await repo.catalog.updateStatCache(
    settledEntries(fresh, freshDevs, clockNow(clockFolders, journal.token)),
    [],
  );
  return { applied: done - unrecoverable.length, unrecoverable };
}

/**
 * The time by each filesystem's own clock once every file was written: the mtime of a file made
 * (and removed at once) in a folder written to on that filesystem. Missing for a filesystem where
 * that failed.
 */
export function clockNow(folders: ReadonlyMap<number, string>, token: string): Map<number, number> {
  const now = new Map<number, number>();
  for (const [dev, dir] of folders) {
    const probe = join(dir, `${WORKTREE_TEMP_PREFIX}${token}-clock-${randomBytes(3).toString('hex')}`);
    try {
      const fd = openSync(probe, 'wx');
      try {
        now.set(dev, fstatSync(fd).mtimeMs);
      } finally {
        closeSync(fd);
        unlinkSync(probe);
      }
    } catch {
      // The rows stay racy: the next scan reads those files once more.
    }
  }
  return now;
}

/**
 * The stat-cache rows of the files a rewrite wrote, made trusted at once where that is safe. A
 * row is racy while a write in the same clock tick as the file's could leave its size and mtime
 * as they were (`RACY_WINDOW_MS`); so a fresh row would make the next scan read every written file
 * again. But we wrote these files ourselves, with the contents the hashes name, and stat'ed them
 * before giving them their names: once the filesystem's clock (`clockNow`) has moved past a file's
 * mtime, any later write gets a later mtime and is seen. Such a row is recorded as if hashed a
 * racy window after that moment, which is what `trusted` (hash-files.ts) asks; a file whose mtime
 * is that moment's stays racy. This is git's rule (an entry older than the index written after it
 * is clean), and shares its blind spot: another process writing the same size into a file in the
 * clock tick in which the rewrite replaced it. A write racing the rewrite of that very file is
 * lost anyway, had it come a moment earlier.
 */
export function settledEntries(
  fresh: readonly StatCacheEntry[],
  devs: readonly number[],
  clock: ReadonlyMap<number, number>,
): StatCacheEntry[] {
  return fresh.map((e, i) => {
    const now = clock.get(devs[i]!);
    return now !== undefined && e.mtimeMs < now
      ? { ...e, recordedMs: Math.max(e.recordedMs, now + RACY_WINDOW_MS) }
      : e;
  });
}

/** Old files deleted at once at most (each a promise until its unlink returns). */
const DELETIONS_IN_FLIGHT = 1024;

/**
 * Deletes replaced files on libuv's thread pool while the rewrite goes on (see `writeInPlace`).
 * A failure is kept and thrown by `settle` (by then every deletion has ended), never left as an
 * unhandled rejection; a file that could not be deleted keeps its temporary name, which the
 * scanner ignores and recovery removes.
 */
class Deletions {
  private pending: Promise<void>[] = [];
  private failure: unknown;

  async delete(path: string): Promise<void> {
    this.pending.push(
      unlink(path).catch((err: unknown) => {
        this.failure ??= err;
      }),
    );
    if (this.pending.length >= DELETIONS_IN_FLIGHT) await this.wait();
  }

  async settle(): Promise<void> {
    await this.wait();
    if (this.failure !== undefined) throw this.failure;
  }

  private async wait(): Promise<void> {
    const now = this.pending;
    this.pending = [];
    await Promise.all(now);
  }
}

/** Contents below this size are read in batches and written with one synchronous call each. */
const SMALL_FILE_MAX = 1024 * 1024;
/** Files written between two turns of the event loop. */
const FILES_PER_TURN = 64;
/** Bytes of small contents held at once. */
const BATCH_BYTES = 16 * 1024 * 1024;

const isSmall = (w: JournalFile): boolean =>
  w !== null && !w.symlink && !w.chunked && w.size !== undefined && w.size < SMALL_FILE_MAX;

/**
 * The contents of a rewrite's small files, fetched in the order they are written, a batch of up to
 * `BATCH_BYTES` at a time with one store call (one index lookup for a thousand files, not one
 * each, and no trip through the thread pool per file). Every content is verified by the store.
 */
class SmallContents {
  private next = 0;
  private batch = new Map<ObjectId, Buffer>();

  constructor(
    private readonly repo: Repository,
    private readonly files: readonly JournalFile[],
  ) {}

  async take(hash: ObjectId): Promise<Buffer> {
    let data = this.batch.get(hash);
    while (data === undefined) {
      if (this.next >= this.files.length) return this.repo.store.get(hash);
      const ids = new Set<ObjectId>();
      let bytes = 0;
      while (this.next < this.files.length && (ids.size === 0 || bytes < BATCH_BYTES)) {
        const f = this.files[this.next++]!;
        if (!ids.has(f.hash)) bytes += f.size!;
        ids.add(f.hash);
      }
      this.batch = await this.repo.store.getMany([...ids]);
      data = this.batch.get(hash);
    }
    return data;
  }
}

/**
 * Removes a file, never through a symlinked folder (a file reached that way is not in the working
 * folder at all) and never a real folder; then prunes folders left empty.
 */
function removeFile(root: string, path: string): void {
  if (!hasRealParents(root, path)) return;
  const abs = join(root, path);
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st || st.isDirectory()) return;
  unlinkSync(abs);
  pruneEmptyFolders(dirname(abs), root);
}

/**
 * Deletes what a run of `journal` may have left: its temporary folder under `.strata/tmp` and, with
 * `workingFolders` (after a failure or a kill), any `WORKTREE_TEMP_PREFIX` file in the folders it
 * wrote to. After a pass that wrote every file, none is left there: each temporary name was
 * renamed, or removed when that failed. Called after the operation and by recovery after a kill.
 */
export function removeTemporaryFiles(
  repo: Repository,
  journal: WorktreeJournal,
  { workingFolders = true }: { workingFolders?: boolean } = {},
): void {
  rmSync(tempFolder(repo, journal.token), { recursive: true, force: true });
  if (!workingFolders) return;
  const dirs = new Set<string>();
  const checked = new Set<string>();
  for (const c of journal.changes) {
    const root = journal.folders[c.resource];
    if (root === undefined) continue;
    const slash = c.path.lastIndexOf('/');
    // One check per folder, not per file: a thousand files in ten folders are ten checks.
    const parent = `${root}\u0000${slash < 0 ? '' : c.path.slice(0, slash)}`;
    if (checked.has(parent)) continue;
    checked.add(parent);
    if (!hasRealParents(root, c.path)) continue;
    dirs.add(dirname(join(root, c.path)));
  }
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names)
      if (name.startsWith(WORKTREE_TEMP_PREFIX)) rmSync(join(dir, name), { force: true });
  }
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

/** The folder on disk of resource `name` as `target` records it (checked: a tree is data). */
export function resourceFolder(repo: Repository, target: RootTree, name: string): string {
  const resource = target.resources[name];
  return resource
    ? // Opened through its real path: a resource folder that became a link is refused.
      resourceType(resource.type).open(repo.root, checkResourceLocation(resource.type, resource.path))
    : join(repo.root, checkStoredPath(name, 'resource path'));
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

/**
 * A stored resource path: relative and safe for folders; absolute for external types; types that
 * may be either (git, rclone) or neither (s3) check their own.
 */
function checkResourceLocation(type: string, path: string): string {
  const own = resourceType(type).checkStoredLocation;
  if (own) return own(path);
  if (type === 'folder') return checkStoredPath(path, 'resource path');
  if (!path.startsWith('/') || path.includes('\u0000') || path.split('/').includes('..'))
    throw new CorruptObjectError(`refusing unsafe resource path '${path}' found in a stored tree`, { path });
  return path;
}
