import { InvalidArgumentError } from '../errors/index.js';

/** Where an object writer is in its life: only an open one takes calls. */
export type WriterState = 'open' | 'committing' | 'committed' | 'aborted' | 'failed';

/**
 * The `add`/`addFile` calls of an object writer still running, shared by every store's writer:
 * commit and abort first `settle()`, so they see every object a call was adding.
 */
export class WriterCalls {
  readonly #inflight = new Set<Promise<unknown>>();

  /** Runs `run`, remembered until it settles. */
  track<T>(run: () => Promise<T>): Promise<T> {
    const promise = run();
    this.#inflight.add(promise);
    const forget = () => this.#inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Waits for every tracked call, including calls started while waiting. */
  async settle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }
}

/** Refuses `call` on a writer that is no longer open (committed, aborted, failed, committing). */
export function assertWriterOpen(state: WriterState, call: string): void {
  if (state !== 'open') {
    throw new InvalidArgumentError(`cannot ${call}(): the object writer is ${state}`, {
      what: 'object writer',
      state,
    });
  }
}
