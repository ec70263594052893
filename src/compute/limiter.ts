/**
 * Lets at most `limit` callers through at once; the others queue in arrival order. `acquire`
 * returns undefined when a slot is free at once (no promise on the fast path).
 */
export class Limiter {
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(readonly limit: number) {}

  acquire(): Promise<void> | undefined {
    if (this.#active < this.limit) {
      this.#active++;
      return undefined;
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }
}
