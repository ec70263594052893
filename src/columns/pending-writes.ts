/** A pending write: a sample-table row, an inline entry, or null for a deletion. */
export type PendingValue = number | Uint8Array | null;

/** What `get` returns for a key with no pending write. */
export const ABSENT = Symbol('absent');

/**
 * A writer's pending writes in the order they were made. A bulk import appends 10^5–10^7 of them
 * and reads none back, so they go into two arrays; the key → position index a lookup needs is
 * built on the first lookup and kept up to date from then on. Last write wins.
 */
export class PendingWrites {
  private keys: string[] = [];
  private values: PendingValue[] = [];
  private index: Map<string, number> | undefined;

  get size(): number {
    return this.keys.length;
  }

  set(key: string, value: PendingValue): void {
    this.index?.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }

  get(key: string): PendingValue | typeof ABSENT {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.keys.length; i++) this.index.set(this.keys[i]!, i);
    }
    const at = this.index.get(key);
    return at === undefined ? ABSENT : this.values[at]!;
  }

  /** Every key's last write, in key order (a sequential import is in order already: no sort). */
  inKeyOrder(): { keys: string[]; values: PendingValue[] } {
    let ordered = true;
    for (let i = 1; i < this.keys.length && ordered; i++) ordered = this.keys[i - 1]! < this.keys[i]!;
    if (ordered) return { keys: this.keys, values: this.values };
    const last = new Map<string, number>();
    for (let i = 0; i < this.keys.length; i++) last.set(this.keys[i]!, i);
    const keys = [...last.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { keys, values: keys.map((k) => this.values[last.get(k)!]!) };
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.index = undefined;
  }
}
