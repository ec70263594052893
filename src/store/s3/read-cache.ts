import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hashBytes, isObjectId } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';

/** The default size limit of the read cache: 1 GiB. */
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 1024 * 1024;

/** Options of `ReadCache`. */
export interface ReadCacheOptions {
  /** The cache folder (e.g. `.strata/cache/`); created if missing. */
  readonly dir: string;
  /** The size the cache is trimmed back to; see `ReadCache` for how far it may overshoot. */
  readonly maxBytes?: number;
}

/**
 * A local read-through cache of verified objects, one file per object under `aa/<62 hex>` (as the
 * fs store's loose files). Entries are written to a temp file and renamed, so a reader (another
 * process too) sees a whole entry or none; a hit is re-hashed, and a corrupt or vanished entry is
 * dropped and counted as a miss, so the cache can never serve wrong bytes nor fail a read.
 *
 * Least recently used entries go first: a hit sets the entry's mtime (atime is unreliable under
 * `relatime`/`noatime`), and a trim deletes the oldest entries until the folder holds at most
 * 80 % of `maxBytes`. Trimming scans the folder, so it runs only after a tenth of `maxBytes` has
 * been written by this process since the last trim: each process may overshoot the limit by that
 * tenth until its next trim. Objects bigger than a quarter of the limit are not cached.
 */
export class ReadCache {
  readonly dir: string;
  readonly maxBytes: number;
  private writtenSinceTrim = 0;
  private readonly created = new Set<string>();

  constructor(options: ReadCacheOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    mkdirSync(this.dir, { recursive: true });
  }

  /** True when an object of `size` bytes may be cached. */
  accepts(size: number): boolean {
    return size <= this.maxBytes / 4;
  }

  /** The verified bytes of `id`, or undefined on a miss (a corrupt entry is deleted). */
  read(id: ObjectId): Buffer | undefined {
    const path = this.pathOf(id);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch {
      return undefined;
    }
    if (hashBytes(data) !== id) {
      this.drop(id);
      return undefined;
    }
    this.touch(path);
    return data;
  }

  /** Caches verified bytes. Failures (a full disk) are ignored: the cache is only an optimisation. */
  write(id: ObjectId, data: Uint8Array): void {
    if (!this.accepts(data.byteLength)) return;
    const path = this.pathOf(id);
    const temp = this.tempPath();
    try {
      this.ensureDir(id);
      const fd = openSync(temp, 'wx');
      try {
        let done = 0;
        while (done < data.byteLength) done += writeSync(fd, data, done);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        // Never created.
      }
      return;
    }
    this.noteWritten(data.byteLength);
  }

  /** Caches a copy of the verified file `source` holding `size` bytes of `id`. Never throws. */
  async copyIn(id: ObjectId, source: string, size: number): Promise<void> {
    if (!this.accepts(size)) return;
    const temp = this.tempPath();
    try {
      await mkdir(join(this.dir, id.slice(0, 2)), { recursive: true });
      await copyFile(source, temp);
      await rename(temp, this.pathOf(id));
    } catch {
      await unlink(temp).catch(() => {});
      return;
    }
    this.noteWritten(size);
  }

  /** The entry file of `id` (which may not exist); marks it used. */
  pathIfPresent(id: ObjectId): string | undefined {
    const path = this.pathOf(id);
    try {
      this.touch(path);
      return path;
    } catch {
      return undefined;
    }
  }

  /** Deletes the entry of `id` if there is one. */
  drop(id: ObjectId): void {
    try {
      unlinkSync(this.pathOf(id));
    } catch {
      // Not cached.
    }
  }

  /**
   * Deletes least recently used entries until the folder holds at most 80 % of `maxBytes`; returns
   * the bytes left. Stray temp files older than a minute (a killed process) go too.
   */
  trim(): number {
    this.writtenSinceTrim = 0;
    const entries: { path: string; size: number; mtime: number }[] = [];
    let total = 0;
    const now = Date.now();
    for (const name of safeReaddir(this.dir)) {
      const sub = join(this.dir, name);
      if (name.startsWith('.tmp-')) {
        removeIfOlder(sub, now - 60_000);
        continue;
      }
      if (!/^[0-9a-f]{2}$/.test(name)) continue;
      for (const file of safeReaddir(sub)) {
        if (!isObjectId(name + file)) continue;
        const stats = statSync(join(sub, file), { throwIfNoEntry: false });
        if (!stats) continue;
        entries.push({ path: join(sub, file), size: stats.size, mtime: stats.mtimeMs });
        total += stats.size;
      }
    }
    const target = this.maxBytes * 0.8;
    if (total <= this.maxBytes) return total;
    entries.sort((a, b) => a.mtime - b.mtime);
    for (const entry of entries) {
      if (total <= target) break;
      try {
        unlinkSync(entry.path);
        total -= entry.size;
      } catch {
        // Another process trimmed it first.
      }
    }
    return total;
  }

  private pathOf(id: ObjectId): string {
    return join(this.dir, id.slice(0, 2), id.slice(2));
  }

  private tempPath(): string {
    return join(this.dir, `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  private ensureDir(id: ObjectId): void {
    const prefix = id.slice(0, 2);
    if (this.created.has(prefix)) return;
    mkdirSync(join(this.dir, prefix), { recursive: true });
    this.created.add(prefix);
  }

  private touch(path: string): void {
    const now = new Date();
    utimesSync(path, now, now);
  }

  private noteWritten(bytes: number): void {
    this.writtenSinceTrim += bytes;
    if (this.writtenSinceTrim >= this.maxBytes / 10) this.trim();
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function removeIfOlder(path: string, before: number): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats && stats.mtimeMs < before) {
    try {
      unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
}
