import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

interface Entry {
  readonly handle: Promise<FileHandle>;
  users: number;
  dropped: boolean;
}

/**
 * A small LRU cache of open pack files, so that reading many objects from one pack costs one
 * `open`. A handle in use is never closed under its reader: eviction and `drop` wait until the
 * last user is done.
 */
export class PackHandles {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxOpen = 32) {}

  /** Runs `use` with the open handle of the pack at `path` (opened on first use). */
  async with<T>(path: string, use: (handle: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(path);
    if (entry) {
      // Re-insert to mark it most recently used.
      this.entries.delete(path);
      this.entries.set(path, entry);
    } else {
      entry = { handle: open(path, 'r'), users: 0, dropped: false };
      const opened = entry;
      this.entries.set(path, opened);
      // A failed open must not stay cached (the next read retries) nor be an unhandled rejection.
      opened.handle.catch(() => {
        if (this.entries.get(path) === opened) this.entries.delete(path);
      });
    }
    entry.users++;
    try {
      return await use(await entry.handle);
    } finally {
      entry.users--;
      if (entry.dropped) closeWhenUnused(entry);
      this.evict();
    }
  }

  /** Forgets the pack at `path` (it is being deleted); its handle closes once unused. */
  drop(path: string): void {
    const entry = this.entries.get(path);
    if (!entry) return;
    this.entries.delete(path);
    entry.dropped = true;
    closeWhenUnused(entry);
  }

  /** Closes every handle not in use now, and the others when their readers finish. */
  closeAll(): void {
    for (const path of [...this.entries.keys()]) this.drop(path);
  }

  private evict(): void {
    for (const [path, entry] of this.entries) {
      if (this.entries.size <= this.maxOpen) return;
      if (entry.users === 0) this.drop(path);
    }
  }
}

function closeWhenUnused(entry: Entry): void {
  if (entry.users > 0) return;
  entry.handle.then(
    (handle) => handle.close().catch(() => {}),
    () => {},
  );
}
