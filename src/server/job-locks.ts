/**
 * What each job kind writes, and locks on those names, so that the server may run a few jobs at
 * once while two jobs that write the same thing still run one after the other.
 */

type Json = Record<string, unknown> | unknown;

/**
 * The names a job of `kind` writes. `worktree` is the served working folder and its current
 * branch (staging, commits, merges); `assets` the asset tables and the staged asset folder;
 * `compute:NAME` one compute collection's results. An unknown kind writes everything it could.
 */
export function jobWrites(kind: string, config: Json): readonly string[] {
  switch (kind) {
    case 'assets.update':
    case 'assets.export':
      return ['assets'];
    case 'assets.create':
    case 'assets.delete':
    case 'assets.workflow':
      return ['assets', 'worktree'];
    case 'columns.import':
    case 'merge':
      return ['worktree'];
    case 'compute.run':
      return [`compute:${String((config as { collection?: unknown } | null)?.collection)}`];
    default:
      return ['assets', 'worktree', `kind:${kind}`];
  }
}

/** Resolves when `promise` does, or rejects when `signal` aborts first. */
function unlessAborted(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/**
 * First-come, first-served locks by name, in one process. `acquire` takes all of its names (in
 * sorted order, so two holders of overlapping names cannot wait on each other) and returns the
 * release; a waiter whose signal aborts gives up its place without ever holding the lock.
 */
export class NamedLocks {
  /** Per name, the promise that settles once every holder and waiter so far has released. */
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(names: readonly string[], signal?: AbortSignal): Promise<() => void> {
    const releases: (() => void)[] = [];
    const releaseAll = () => {
      for (const release of releases.splice(0).reverse()) release();
    };
    try {
      for (const name of [...new Set(names)].sort()) releases.push(await this.acquireOne(name, signal));
    } catch (err) {
      releaseAll();
      throw err;
    }
    return releaseAll;
  }

  /** Names held or waited for right now (for tests and diagnostics). */
  get busy(): string[] {
    return [...this.tails.keys()];
  }

  private async acquireOne(name: string, signal?: AbortSignal): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The next one waits for the previous holders and for this one, even if this one gives up.
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    try {
      await unlessAborted(previous, signal);
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }
}

/** At most `size` holders at once; the others wait in order (a waiter may give up by its signal). */
export class Slots {
  private used = 0;
  private readonly waiting: { grant: () => void; signal?: AbortSignal }[] = [];

  constructor(private readonly size: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.used < this.size) this.used++;
    else
      await new Promise<void>((resolve, reject) => {
        const waiter = { grant: resolve, signal };
        this.waiting.push(waiter);
        signal?.addEventListener(
          'abort',
          () => {
            const at = this.waiting.indexOf(waiter);
            if (at < 0) return; // granted already: the holder releases as usual
            this.waiting.splice(at, 1);
            reject(signal.reason as Error);
          },
          { once: true },
        );
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next.grant();
      else this.used--;
    };
  }
}
