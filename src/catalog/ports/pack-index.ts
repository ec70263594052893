/** Where a packed object's data lies. Same shape as the store's `PackLocation` (ports stay apart). */
export interface PackIndexEntry {
  readonly id: string;
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

/** The pack index the catalog keeps for the object store; structurally the store's `PackIndex`. */
export interface CatalogPackIndex {
  lookup(ids: readonly string[]): Promise<Map<string, Omit<PackIndexEntry, 'id'>>>;
  /**
   * The ids of `ids` that are indexed (what `lookup` would find), without their locations:
   * cheaper where the index answers from its key alone. Optional: callers fall back to `lookup`.
   */
  has?(ids: readonly string[]): Promise<Set<string>>;
  add(entries: Iterable<PackIndexEntry>): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  entries(): AsyncIterable<PackIndexEntry>;
}
